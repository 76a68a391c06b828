import SluiceState

/// Every state backend, configured small so that growth, spills and compactions happen in small tests.
enum BackendKind: String, CaseIterable, CustomStringConvertible {
    case memory
    case mmap
    case spill

    var description: String { rawValue }

    func make<Value: StateCodable>(_ type: Value.Type = Value.self) throws -> any StateBackend<Value> {
        switch self {
        case .memory: return InMemoryStateBackend<Value>()
        case .mmap: return try MappedFileStateBackend<Value>(initialCapacity: 64, compactionMinimumBytes: 512)
        case .spill:
            return try SpillingStateBackend<Value>(
                policy: SpillPolicy(memoryMaxKeys: 16, memoryMaxBytes: 2048, mappedMaxKeys: 48, mappedMaxBytes: nil),
                compactionMinimumBytes: 512)
        }
    }
}

/// All entries of a backend, as a dictionary.
func contents<Value>(of backend: any StateBackend<Value>) throws -> [String: Value] {
    var result: [String: Value] = [:]
    try backend.forEach { key, value in
        precondition(result[key] == nil, "key \(key) visited twice")
        result[key] = value
    }
    return result
}

/// All entries of a snapshot, as a dictionary.
func contents<Value>(of snapshot: StateSnapshot<Value>) throws -> [String: Value] {
    var result: [String: Value] = [:]
    try snapshot.forEach { key, value in result[key] = value }
    return result
}

/// Logical bytes of an oracle dictionary, as `state_size_bytes` counts them.
func logicalBytes(_ oracle: [String: [UInt8]]) -> Int {
    oracle.reduce(0) { $0 + $1.key.utf8.count + $1.value.count }
}
