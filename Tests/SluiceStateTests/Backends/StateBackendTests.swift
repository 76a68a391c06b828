import SluiceState
import SluiceTestKit
import Testing

/// One body per property, run over every backend.
@Suite struct StateBackendTests {
    static func randomValue(_ random: inout SeededRandomNumberGenerator) -> [UInt8] {
        (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    @Test(arguments: BackendKind.allCases)
    func randomWorkloadMatchesADictionaryOracle(_ kind: BackendKind) throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0001)
        let seed = random.seed
        let backend = try kind.make([UInt8].self)
        var oracle: [String: [UInt8]] = [:]
        for step in 0..<3000 {
            let key = "key-\(Int.random(in: 0..<200, using: &random))"
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6:
                let value = Self.randomValue(&random)
                try backend.setValue(value, forKey: key)
                oracle[key] = value
            case 6..<8:
                let removed = try backend.removeValue(forKey: key)
                #expect(removed == (oracle.removeValue(forKey: key) != nil), "seed \(seed) step \(step)")
            default:
                #expect(try backend.value(forKey: key) == oracle[key], "seed \(seed) step \(step) key \(key)")
            }
            if step % 500 == 0 {
                #expect(try contents(of: backend) == oracle, "seed \(seed) step \(step)")
            }
        }
        #expect(try contents(of: backend) == oracle, "seed \(seed)")
        #expect(backend.count == oracle.count, "seed \(seed)")
        #expect(backend.stateSizeBytes == logicalBytes(oracle), "seed \(seed)")
        if let spill = backend as? SpillingStateBackend<[UInt8]> {
            #expect(spill.memorySpillCount > 0 && spill.mappedSpillCount > 0, "the workload spilled both tiers")
            #expect(spill.compactionCount > 0, "the workload compacted a file tier")
        }
        if let mapped = backend as? MappedFileStateBackend<[UInt8]> {
            #expect(mapped.compactionCount > 0, "the workload compacted the mapped file")
            #expect(mapped.storageBytes > 64, "the mapping grew")
        }
    }

    @Test(arguments: BackendKind.allCases, BackendKind.allCases)
    func snapshotRoundTripsIntoEveryBackend(_ kind: BackendKind, _ target: BackendKind) throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0002)
        let seed = random.seed
        let backend = try kind.make([UInt8].self)
        var oracle: [String: [UInt8]] = [:]
        for index in 0..<150 {
            let value = Self.randomValue(&random)
            try backend.setValue(value, forKey: "k\(index % 120)")
            oracle["k\(index % 120)"] = value
        }
        let snapshot = try backend.makeSnapshot()
        // Writes after the snapshot must not show in it.
        for index in 0..<200 { try backend.setValue([0xEE], forKey: "k\(index)") }
        try backend.removeValue(forKey: "k3")
        #expect(try contents(of: snapshot) == oracle, "seed \(seed)")
        #expect(snapshot.count == oracle.count && snapshot.stateSizeBytes == logicalBytes(oracle), "seed \(seed)")

        // Through the checkpoint encoding and back, into another backend.
        var writer = BinaryWriter()
        try snapshot.encodeEntries(into: &writer)
        var reader = BinaryReader(writer.bytes)
        let decoded = try StateSnapshot<[UInt8]>.decodeEntries(from: &reader)
        let restored = try target.make([UInt8].self)
        try restored.setValue([1], forKey: "stale")
        try restored.restore(decoded)
        #expect(try contents(of: restored) == oracle, "seed \(seed) \(kind) → \(target)")
        #expect(restored.stateSizeBytes == logicalBytes(oracle), "seed \(seed)")

        // And directly from the snapshot.
        let direct = try target.make([UInt8].self)
        try direct.restore(from: snapshot)
        #expect(try contents(of: direct) == oracle, "seed \(seed)")
    }

    @Test(arguments: BackendKind.allCases)
    func typedValuesRoundTrip(_ kind: BackendKind) throws {
        let backend = try kind.make(Int64.self)
        for index in 0..<100 { try backend.setValue(Int64(index) * -3, forKey: "n\(index)") }
        for index in 0..<100 { #expect(try backend.value(forKey: "n\(index)") == Int64(index) * -3) }
        #expect(try backend.value(forKey: "missing") == nil)
        try backend.removeAll()
        #expect(backend.count == 0 && backend.stateSizeBytes == 0)
    }

    @Test func spillMovesDataDownTheTiersAndKeepsItIntact() throws {
        let backend = try SpillingStateBackend<[UInt8]>(
            policy: SpillPolicy(memoryMaxKeys: 10, memoryMaxBytes: nil, mappedMaxKeys: 25, mappedMaxBytes: nil))
        for index in 0..<11 { try backend.setValue([UInt8(index)], forKey: "a\(index)") }
        #expect(backend.tierCounts == (0, 11, 0))
        for index in 0..<11 { try backend.setValue([UInt8(index)], forKey: "b\(index)") }
        for index in 0..<11 { try backend.setValue([UInt8(index)], forKey: "c\(index)") }
        #expect(backend.tierCounts.disk == 33 && backend.tierCounts.mapped == 0)
        // Rewriting a spilled key brings it back to RAM and drops the disk copy.
        try backend.setValue([99], forKey: "a0")
        #expect(backend.tierCounts == (1, 0, 32))
        #expect(try backend.value(forKey: "a0") == [99])
        #expect(try backend.value(forKey: "c10") == [10])
        #expect(backend.count == 33)
    }

    @Test func byteThresholdTriggersASpill() throws {
        let backend = try SpillingStateBackend<[UInt8]>(
            policy: SpillPolicy(memoryMaxKeys: nil, memoryMaxBytes: 100, mappedMaxKeys: nil, mappedMaxBytes: nil))
        try backend.setValue([UInt8](repeating: 1, count: 60), forKey: "x")
        #expect(backend.memorySpillCount == 0)
        try backend.setValue([UInt8](repeating: 2, count: 60), forKey: "y")
        #expect(backend.memorySpillCount == 1 && backend.tierCounts.mapped == 2)
    }
}
