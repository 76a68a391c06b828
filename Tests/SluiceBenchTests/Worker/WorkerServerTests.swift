import Foundation
import SluiceBench
import SluiceTestKit
import Synchronization
import Testing

@Suite struct WorkerServerTests {
    /// Runs a server over `lines` with a virtual-time registry and returns the decoded response lines.
    func serve(_ lines: [String]) async throws -> [WorkerResponse] {
        let clock = ManualClock()
        let registry = BenchmarkRegistry([
            FakeBenchmarks.steady(clock: clock, nanoseconds: 100),
            FakeBenchmarks.steady(clock: clock, nanoseconds: 100, name: "fake/broken", isBroken: true),
        ])
        let input = Mutex(lines[...])
        let output = Mutex([String]())
        let server = WorkerServer(
            registry: registry, clock: clock, overhead: .zero,
            readLine: { input.withLock { $0.popFirst() } },
            writeLine: { line in output.withLock { $0.append(line) } })
        await server.run()
        return try output.withLock { $0 }.map { try JSONDecoder().decode(WorkerResponse.self, from: Data($0.utf8)) }
    }

    func request(_ request: WorkerRequest) throws -> String {
        String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
    }

    let settings = RunSettings(maxWarmupSeconds: 0.001, minRounds: 2, maxRounds: 3, minRoundSeconds: 0.0001, processes: 1)

    @Test func helloNamesTheBenchmarksAndTheProtocol() async throws {
        let responses = try await serve([try request(WorkerRequest(op: .hello, id: "h"))])
        #expect(responses.count == 1)
        #expect(responses[0].event == .hello)
        #expect(responses[0].protocolVersion == WorkerProtocol.version)
        #expect(responses[0].benchmarks == ["fake/broken", "fake/steady"])
    }

    @Test func runStreamsRoundsThenTheResult() async throws {
        let responses = try await serve([
            try request(WorkerRequest(op: .run, id: "1", benchmark: "fake/steady", settings: settings, metrics: [.wallTime], lane: .timing)),
            try request(WorkerRequest(op: .exit)),
        ])
        #expect(responses.map(\.event) == [.round, .round, .result, .bye])
        #expect(responses[0].values?["wall_time"] == 100)
        let result = try #require(responses[2].result)
        #expect(result.name == "fake/steady")
        #expect(result.metric(.wallTime)?.roundValues == [100, 100])
        #expect(responses.allSatisfy { $0.id == "1" || $0.event == .bye })
    }

    @Test func sessionsAlternateRoundsOnDemand() async throws {
        let responses = try await serve([
            try request(WorkerRequest(op: .prepare, id: "a", benchmark: "fake/steady", settings: settings, metrics: [.wallTime], innerIterations: 50)),
            try request(WorkerRequest(op: .round, id: "a")),
            try request(WorkerRequest(op: .round, id: "a")),
            try request(WorkerRequest(op: .round, id: "a")),
            try request(WorkerRequest(op: .finish, id: "a")),
            try request(WorkerRequest(op: .round, id: "a")),
        ])
        #expect(responses.map(\.event) == [.prepared, .round, .round, .round, .result, .error])
        #expect(responses[0].innerIterations == 50)
        #expect(responses.compactMap(\.round) == [0, 1, 2])
        #expect(responses[4].result?.metric(.wallTime)?.roundValues.count == 3)
        #expect(responses[5].message?.contains("no open session") == true)
    }

    @Test func functionalFailuresAreReportedAsFailed() async throws {
        let responses = try await serve([
            try request(WorkerRequest(op: .run, id: "b", benchmark: "fake/broken", settings: settings, metrics: [.wallTime], lane: .timing))
        ])
        #expect(responses.last?.event == .failed)
        #expect(responses.last?.message?.contains("output check failed") == true)
    }

    @Test func badLinesAreErrorsAndTheWorkerGoesOn() async throws {
        var wrongVersion = WorkerRequest(op: .hello)
        wrongVersion.protocolVersion = 99
        let responses = try await serve([
            "not json",
            #"{"protocol": 1, "op": "dance"}"#,
            try request(wrongVersion),
            try request(WorkerRequest(op: .run, id: "u", benchmark: "fake/stedy", settings: settings)),
            try request(WorkerRequest(op: .hello)),
        ])
        #expect(responses.map(\.event) == [.error, .error, .error, .error, .hello])
        #expect(responses[2].message?.contains("protocol version 99") == true)
        #expect(responses[3].code == "unknownBenchmark")
        #expect(responses[3].message?.contains("fake/steady") == true)
    }
}
