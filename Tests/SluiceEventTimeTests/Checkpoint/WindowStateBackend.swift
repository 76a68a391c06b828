import SluiceState

/// The SluiceState backends the window state is checkpointed through, the file-backed ones configured small so
/// that spills and compactions happen in a small test.
enum WindowStateBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory
    case mmap
    case spill
    /// In memory, remembering changed keys (what incremental snapshots write).
    case changeTracking

    var description: String { rawValue }

    func make() throws -> any StateBackend<[UInt8]> {
        switch self {
        case .memory: InMemoryStateBackend<[UInt8]>()
        case .mmap: try MappedFileStateBackend<[UInt8]>(initialCapacity: 64, compactionMinimumBytes: 512)
        case .spill:
            try SpillingStateBackend<[UInt8]>(
                policy: SpillPolicy(memoryMaxKeys: 2, memoryMaxBytes: nil, mappedMaxKeys: 4, mappedMaxBytes: nil),
                compactionMinimumBytes: 512)
        case .changeTracking: ChangeTrackingStateBackend<[UInt8]>(base: InMemoryStateBackend())
        }
    }
}
