import SluiceState
import SluiceTestKit

/// `meso/checkpoint/incremental` against its peer `meso/checkpoint/full`: keyed state of `keys` keys (default 1 M),
/// of which `changedPercent` (default 1 %) change between checkpoints; one operation is those writes and one
/// checkpoint. "full" persists the whole state the way the checkpointed pipelines do (`CheckpointFile.encode` and
/// `CheckpointCatalog.commit`); "incremental" persists it with `IncrementalSnapshotStore` from a
/// `ChangeTrackingStateBackend`'s changes (compaction included whenever it falls due).
///
/// `checkpoint_bytes` is the mean of bytes written per checkpoint, counted at the file-system layer (the target: incremental ≥ 10× fewer). The check
/// restores the newest checkpoint and compares it with the live state.
enum IncrementalCheckpointBenchmarks {
    static let all: [Benchmark] = [
        make(incremental: true).peer("meso/checkpoint/full"),
        make(incremental: false),
    ]

    final class State {
        let incremental: Bool
        let keys: Int
        let changes: Int
        let folder: TemporaryDirectory
        let state: ChangeTrackingStateBackend<Int64>
        let store: IncrementalSnapshotStore?
        let catalog: CheckpointCatalog?
        var random = SeededRandomNumberGenerator(seed: 0x1AC5)
        var nextID: UInt64 = 1
        var bytes: [Int] = []
        var compactedGroups = 0
        /// Counts every byte either variant writes (data, manifests, temporary files).
        let counter = FaultInjectingFileSystem()

        init(incremental: Bool, keys: Int, changes: Int) throws {
            self.incremental = incremental
            self.keys = keys
            self.changes = changes
            folder = TemporaryDirectory(parent: defaultScratchDirectory(), prefix: "sluice-incremental")
            state = ChangeTrackingStateBackend(base: InMemoryStateBackend())
            for index in 0..<keys { try state.setValue(Int64(index), forKey: "key-\(index)") }
            store = incremental ? try IncrementalSnapshotStore(directory: folder.file("inc"), fileSystem: counter) : nil
            catalog = incremental ? nil : try CheckpointCatalog(directory: folder.file("ck"), fileSystem: counter)
            // The first checkpoint is full either way; the figure is about the ones after it.
            try checkpoint(recordBytes: false)
        }

        deinit { folder.remove() }

        func mutate() throws {
            for _ in 0..<changes {
                let key = "key-\(Int.random(in: 0..<keys, using: &random))"
                try state.setValue((try state.value(forKey: key) ?? 0) &+ 1, forKey: key)
            }
        }

        func checkpoint(recordBytes: Bool = true) throws {
            let id = nextID
            nextID += 1
            let before = counter.bytesWritten
            if let store {
                let report = try store.write(id: id, snapshot: state.makeSnapshot(), changes: state.takeChanges())
                if recordBytes { compactedGroups += report.compactedGroups }
            } else if let catalog {
                _ = try state.takeChanges()
                let snapshot = try state.makeSnapshot()
                let capture = CheckpointCapture(
                    id: id, parentID: id > 1 ? id - 1 : nil, sources: [], stages: [CheckpointCapture.stage("sum", snapshot)])
                try catalog.commit(try CheckpointFile.encode(capture), id: id, parentID: capture.parentID)
            } else {
                preconditionFailure("a state has a store or a catalog")
            }
            if recordBytes { bytes.append(counter.bytesWritten - before) }
        }

        /// Nil when the newest checkpoint restores to exactly the live state.
        func verify() -> String? {
            do {
                var live: [String: Int64] = [:]
                try state.forEach { live[$0] = $1 }
                let restored: [(key: String, value: Int64)]
                if let store {
                    let reopened = try IncrementalSnapshotStore(directory: store.directory, configuration: store.configuration)
                    restored = try reopened.recover(as: Int64.self).entries
                } else if let catalog {
                    guard let image = try catalog.recover().image else { return "the catalog holds no checkpoint" }
                    restored = try image.entries(forStage: "sum", as: Int64.self)
                } else {
                    return nil
                }
                guard restored.count == live.count, restored.allSatisfy({ live[$0.key] == $0.value }) else {
                    return "the newest checkpoint restores \(restored.count) keys that differ from the live \(live.count)"
                }
                return nil
            } catch {
                return "restoring the newest checkpoint failed: \(error)"
            }
        }
    }

    static func make(incremental: Bool) -> Benchmark {
        let variant = incremental ? "incremental" : "full"
        return Benchmark.synchronous(
            "meso/checkpoint/\(variant)",
            summary: "1 % of 1 M keys changed, then a \(variant) checkpoint; checkpoint_bytes is bytes written per checkpoint",
            parameters: [
                BenchmarkParameterSpec("keys", .int, "keys in the state (default 1000000)"),
                BenchmarkParameterSpec("changedPercent", .double, "percent of the keys written between checkpoints (default 1)"),
            ],
            setup: { (parameters: BenchmarkParameters) throws -> BenchmarkSetup<State> in
                let keys = parameters.int("keys", default: 1_000_000)
                let percent = parameters.double("changedPercent", default: 1)
                guard keys > 0, percent > 0, percent <= 100 else {
                    throw HarnessError(code: .benchmarkSetup, message: "keys must be positive and changedPercent in (0, 100]")
                }
                let changes = max(1, Int(Double(keys) * percent / 100))
                return BenchmarkSetup(
                    state: try State(incremental: incremental, keys: keys, changes: changes),
                    itemsPerOperation: Double(changes))
            },
            operation: { (state: inout State) throws in
                try state.mutate()
                try state.checkpoint()
            },
            check: { (state: State) -> String? in state.verify() },
            probes: { (state: State) -> BenchmarkProbes in
                guard !state.bytes.isEmpty else { return BenchmarkProbes() }
                let mean = Double(state.bytes.reduce(0, +)) / Double(state.bytes.count)
                return BenchmarkProbes(values: [.checkpointBytes: mean, .stateSizeBytes: Double(state.state.stateSizeBytes)])
            })
    }
}
