import SluiceBench
import Testing

@Suite struct FiguresTableTests {
    static func benchmark(_ name: String, peer: String? = nil) -> Benchmark {
        let benchmark = Benchmark.synchronous(
            name, summary: "test", setup: { _ in BenchmarkSetup(state: 0) }, operation: { _ in })
        return peer.map(benchmark.peer) ?? benchmark
    }

    static let registry = BenchmarkRegistry([
        benchmark("micro/ours", peer: "micro/theirs"), benchmark("micro/theirs"),
        benchmark("micro/timed", peer: "micro/timed-peer"), benchmark("micro/timed-peer"),
        benchmark("micro/lonely", peer: "micro/absent"), benchmark("micro/unpaired"),
    ])

    static let results = GateFixtures.results(
        runID: "figures",
        [
            GateFixtures.benchmark("micro/ours", [GateFixtures.timing(.throughputItems, [30e6, 31e6, 32e6])]),
            GateFixtures.benchmark("micro/theirs", [GateFixtures.timing(.throughputItems, [9e6, 10e6, 11e6])]),
            GateFixtures.benchmark("micro/timed", [GateFixtures.timing(.wallTime, [2_000, 2_000, 2_000])]),
            GateFixtures.benchmark("micro/timed-peer", [GateFixtures.timing(.wallTime, [5_000, 5_000, 5_000])]),
            GateFixtures.benchmark("micro/lonely", [GateFixtures.timing(.wallTime, [1, 1, 1])]),
            GateFixtures.benchmark("micro/unpaired", [GateFixtures.timing(.wallTime, [1, 1, 1])]),
        ])

    @Test func pairsByDeclaredPeerAndComputesRatios() throws {
        let table = FiguresTable(results: Self.results, registry: Self.registry)
        #expect(table.rows.map(\.benchmark) == ["micro/lonely", "micro/ours", "micro/timed"])
        let rate = try #require(table.rows.first { $0.benchmark == "micro/ours" })
        #expect(rate.metric == .throughputItems)
        #expect(rate.ratio == 31e6 / 10e6)
        let timed = try #require(table.rows.first { $0.benchmark == "micro/timed" })
        #expect(timed.metric == .wallTime)
        #expect(timed.ratio == 2.5, "a time ratio reads peer ÷ ours: > 1 means we are faster")
        let lonely = try #require(table.rows.first { $0.benchmark == "micro/lonely" })
        #expect(lonely.ratio == nil && lonely.problem?.contains("micro/absent") == true)
    }

    /// Issue 19's target is a ratio from one run: `figures` on a `distributed` results file gives it.
    @Test func theTwoWorkerRedisRunReadsAsARatioOverOneWorker() throws {
        let results = GateFixtures.results(
            runID: "distributed",
            [
                GateFixtures.benchmark("macro/distributed/redis/workers1", [GateFixtures.timing(.throughputItems, [80e3, 81e3, 82e3])]),
                GateFixtures.benchmark("macro/distributed/redis/workers2", [GateFixtures.timing(.throughputItems, [100e3, 101e3, 102e3])]),
            ])
        let table = FiguresTable(results: results)
        let row = try #require(table.rows.first)
        #expect(table.rows.count == 1 && row.benchmark == "macro/distributed/redis/workers2")
        #expect(row.peer == "macro/distributed/redis/workers1" && row.metric == .throughputItems)
        #expect(row.ratio == 101e3 / 81e3)
    }

    /// With the CPU each document cost, the scale-out pair also gives the ratio's ceilings: the server's single
    /// thread (`1 / (workers2's server CPU × workers1's rate)`) and the CPUs (`cores / ((nodes + server) × rate)`).
    @Test func theScaleOutPairGivesItsCeilingsFromTheCPUPerDocument() throws {
        let results = GateFixtures.results(
            runID: "distributed",
            [
                GateFixtures.benchmark("macro/distributed/redis/workers1", [
                    GateFixtures.timing(.throughputItems, [80e3, 80e3, 80e3]),
                    GateFixtures.timing(.nodesCPUPerItem, [7_000, 7_000, 7_000]), GateFixtures.timing(.serverCPUPerItem, [8_000, 8_000, 8_000]),
                ]),
                GateFixtures.benchmark("macro/distributed/redis/workers2", [
                    GateFixtures.timing(.throughputItems, [100e3, 100e3, 100e3]),
                    GateFixtures.timing(.nodesCPUPerItem, [7_500, 7_500, 7_500]), GateFixtures.timing(.serverCPUPerItem, [6_400, 6_400, 6_400]),
                ]),
            ])
        let table = FiguresTable(results: results)
        let row = try #require(table.rows.first)
        let cores = Double(results.environment.coreCount)
        #expect(row.serverCeiling == 1e9 / (6_400 * 80e3))  // 1.95×
        #expect(row.cpuCeiling == cores * 1e9 / (13_900 * 80e3))
        #expect(table.ceilingNotes.count == 1)
        #expect(table.ceilingNotes.first?.contains("the server's thread 1.95×") == true, "\(table.ceilingNotes)")
        #expect(table.ceilingNotes.first?.contains("measured 1.25×, 64 % of the server's ceiling") == true, "\(table.ceilingNotes)")
        #expect(table.markdown().contains("\n- macro/distributed/redis/workers2 against macro/distributed/redis/workers1: ceilings"))
        #expect(table.text().contains("ceilings from the run's CPU per item"))
        // Without the CPU figures (an older results file, or a run that could not read them): the ratio alone.
        let plain = FiguresTable(results: Self.results, registry: Self.registry)
        #expect(plain.rows.allSatisfy { $0.serverCeiling == nil && $0.cpuCeiling == nil })
        #expect(plain.ceilingNotes.isEmpty && !plain.markdown().contains("ceilings"))
    }

    @Test func rendersMarkdownAndText() {
        let table = FiguresTable(results: Self.results, registry: Self.registry)
        let markdown = table.markdown()
        #expect(markdown.hasPrefix("| benchmark | ours | peer | peer's | ratio |\n|---|---:|---|---:|---:|\n"))
        #expect(markdown.contains("| `micro/ours` | 31 M items/s | `micro/theirs` | 10 M items/s | 3.1× |"))
        #expect(markdown.contains("| `micro/timed` | 2 µs | `micro/timed-peer` | 5 µs | 2.5× |"))
        let text = table.text()
        #expect(text.split(separator: "\n").count == 5)
        #expect(text.contains("3.1×"))
    }

    @Test func bytesPerSecondIsPreferredWhenBothHaveIt() {
        let registry = BenchmarkRegistry([Self.benchmark("micro/a", peer: "micro/b"), Self.benchmark("micro/b")])
        let results = GateFixtures.results(
            runID: "bytes",
            [
                GateFixtures.benchmark(
                    "micro/a",
                    [GateFixtures.timing(.throughputItems, [2, 2, 2]), GateFixtures.timing(.throughputBytes, [8e6, 8e6, 8e6])]),
                GateFixtures.benchmark(
                    "micro/b",
                    [GateFixtures.timing(.throughputItems, [1, 1, 1]), GateFixtures.timing(.throughputBytes, [2e6, 2e6, 2e6])]),
            ])
        let row = FiguresTable(results: results, registry: registry).rows.first
        #expect(row?.metric == .throughputBytes)
        #expect(row?.ratio == 4)
    }

    @Test func aFailedPeerGivesNoFigure() {
        var results = Self.results
        results.benchmarks[1].status = .failed
        let row = FiguresTable(results: results, registry: Self.registry).rows.first { $0.benchmark == "micro/ours" }
        #expect(row?.ratio == nil)
        #expect(row?.problem == "peer micro/theirs did not pass")
    }
}
