import Sluice
import SluiceState
import SluiceTestKit

/// The StateGrowth suite's benchmarks, `macro/state-growth/<backend>`: throughput, state size and spills
/// of each state backend at a key cardinality set by the suite (1k to 1M).
enum StateGrowthBenchmarks {
    static let cardinalities: [(label: String, keys: Int)] = [
        ("1k", 1_000), ("10k", 10_000), ("100k", 100_000), ("1m", 1_000_000),
    ]
    static let all: [Benchmark] = ["memory", "mmap", "spill"].flatMap { kind in
        cardinalities.map { stateGrowth(kind, label: $0.label, keys: $0.keys) }
    }

    final class GrowthState {
        let backend: any StateBackend<Int64>
        let keys: [String]
        var random: SeededRandomNumberGenerator
        let updatesPerOperation: Int

        init(backend: any StateBackend<Int64>, keys: [String], updates: Int, seed: UInt64) {
            self.backend = backend
            self.keys = keys
            updatesPerOperation = updates
            random = SeededRandomNumberGenerator(seed: seed)
        }
    }

    static func makeBackend(_ kind: String) throws -> any StateBackend<Int64> {
        switch kind {
        case "memory": return InMemoryStateBackend<Int64>()
        case "mmap": return try MappedFileStateBackend<Int64>()
        default:
            // Spill well below the largest cardinalities, so that 1M keys reach the disk tier.
            return try SpillingStateBackend<Int64>(
                policy: SpillPolicy(
                    memoryMaxKeys: 65_536, memoryMaxBytes: nil, mappedMaxKeys: 262_144, mappedMaxBytes: nil))
        }
    }

    /// `macro/state-growth/<backend>/<cardinality>`: read-modify-write updates over that many live keys.
    static func stateGrowth(_ kind: String, label: String, keys defaultKeys: Int) -> Benchmark {
        Benchmark.synchronous(
            "macro/state-growth/\(kind)/\(label)",
            summary: "keyed state (\(kind)): random read-modify-write updates over \(label) live keys",
            parameters: [
                BenchmarkParameterSpec("keys", .int, "distinct live keys (default \(defaultKeys))"),
                BenchmarkParameterSpec("updates", .int, "updates per operation (default 10000)"),
            ],
            setup: { (parameters: BenchmarkParameters) throws -> BenchmarkSetup<GrowthState> in
                let keyCount = parameters.int("keys", default: defaultKeys)
                let updates = parameters.int("updates", default: 10_000)
                guard keyCount > 0, updates > 0 else {
                    throw HarnessError(code: .benchmarkSetup, message: "keys and updates must be positive")
                }
                let keys = (0..<keyCount).map { "key-\($0)" }
                let backend = try makeBackend(kind)
                for key in keys { try backend.setValue(0, forKey: key) }
                return BenchmarkSetup(
                    state: GrowthState(backend: backend, keys: keys, updates: updates, seed: 0x57A7E),
                    itemsPerOperation: Double(updates))
            },
            operation: { (state: inout GrowthState) throws in
                let backend = state.backend
                for _ in 0..<state.updatesPerOperation {
                    let key = state.keys[Int.random(in: 0..<state.keys.count, using: &state.random)]
                    try backend.setValue((try backend.value(forKey: key) ?? 0) + 1, forKey: key)
                }
            },
            check: { (state: GrowthState) -> String? in
                state.backend.count == state.keys.count
                    ? nil : "the state holds \(state.backend.count) keys, expected \(state.keys.count)"
            },
            probes: { (state: GrowthState) -> BenchmarkProbes in
                var values: [BenchmarkMetric: Double] = [.stateSizeBytes: Double(state.backend.stateSizeBytes)]
                if let spill = state.backend as? SpillingStateBackend<Int64> {
                    values[.stateSpillTotal] = Double(spill.memorySpillCount + spill.mappedSpillCount)
                } else {
                    values[.stateSpillTotal] = 0
                }
                return BenchmarkProbes(values: values)
            })
    }
}
