/// The benchmarks this build knows, by stable name.
public struct BenchmarkRegistry: Sendable {
    private let byName: [String: Benchmark]

    /// Every benchmark registered in this build: the per-area lists in `Benchmarks/`.
    public static let standard = BenchmarkRegistry(
        [
            HarnessBenchmarks.all,
            SelftestBenchmarks.all,
            LaneSelftestBenchmarks.all,
            CalibrationBenchmarks.all,
            FoundationBenchmarks.all,
            ParserBenchmarks.all,
            PartitionBenchmarks.all,
            FramingBenchmarks.all,
            ChannelBenchmarks.all,
            FusionBenchmarks.all,
            StateGrowthBenchmarks.all,
            CheckpointSoakBenchmarks.all,
            CheckpointCostBenchmarks.all,
            MesoBenchmarks.all,
            MacroBenchmarks.all,
            SoakBenchmarks.all,
            ChaosBenchmarks.all,
            WindowLatencyBenchmarks.all,
            ReactiveBenchmarks.all,
            IncrementalCheckpointBenchmarks.all,
            ConcurrentChaosBenchmarks.all,
            JSONStageBenchmarks.all,
            RunBenchmarks.all,
            DistributedBenchmarks.all,
        ].flatMap { $0 })

    /// Creates a registry. Precondition: names are unique.
    public init(_ benchmarks: [Benchmark]) {
        var byName: [String: Benchmark] = [:]
        for benchmark in benchmarks {
            precondition(byName[benchmark.name] == nil, "benchmark \(benchmark.name) is registered twice")
            byName[benchmark.name] = benchmark
        }
        self.byName = byName
    }

    /// All names, sorted. Complexity: O(n log n).
    public var names: [String] { byName.keys.sorted() }

    /// All benchmarks, sorted by name. Complexity: O(n log n).
    public var benchmarks: [Benchmark] { names.compactMap { byName[$0] } }

    /// The benchmark called `name`, if registered.
    public func benchmark(named name: String) -> Benchmark? { byName[name] }

    /// The benchmark called `name`, or an `unknownBenchmark` error listing close matches.
    /// Complexity: O(n · m²) when the name is unknown (edit distances), O(1) otherwise.
    public func resolve(_ name: String, file: String? = nil, field: String? = nil) throws -> Benchmark {
        if let benchmark = byName[name] { return benchmark }
        let matches = CloseMatches.find(name, in: names)
        let hint =
            matches.isEmpty
            ? "; `sluice-bench list` shows all registered benchmarks"
            : "; close matches: \(matches.joined(separator: ", "))"
        throw HarnessError(
            code: .unknownBenchmark, message: "unknown benchmark \"\(name)\"\(hint)", file: file, field: field)
    }
}
