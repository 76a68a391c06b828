import Sluice
import SluiceTestKit
import Testing

/// A sink that fails on its `failAfter`-th batch.
struct FailingSink: PipelineSink {
    struct Failure: Error {}
    let failAfter: Int
    var batches = 0

    mutating func consume(_ batch: [KeyedEvent]) throws {
        batches += 1
        if batches >= failAfter { throw Failure() }
    }

    mutating func finish() throws {}
}

@Suite struct KeyedFailureTests {
    /// A step that throws sends that element to the dead letters; every other element is counted, on both engines.
    @Test(arguments: [1, 3])
    func failingStepsGoToDeadLettersAndTheRunGoesOn(_ workers: Int) async throws {
        let events = keyedEvents(count: 3_000, keys: 40, exponent: 1.0, seed: 0xFA11)
        var outputs: [[Int: Int]] = []
        var errors: [Int] = []
        for concurrent in [false, true] {
            let output = OutputCollector<KeyedValue<Int, Int>>()
            let built = Pipeline.source(events)
                .keyed("count", by: { $0.key })
                .aggregate(
                    initial: 0,
                    { count, event in
                        if event.value % 10 == 0 { throw ParityError(value: event.value) }
                        count += 1
                    }, merge: { $0 += $1 }
                )
                .parallel(workers)
                .sink("out", output)
            let statistics =
                concurrent
                ? try await ConcurrentEngine(batchSize: 32, channelCapacity: 64).run(built)
                : try SyncEngine(batchSize: 32).run(built)
            outputs.append(Dictionary(output.elements.map { ($0.key, $0.value) }, uniquingKeysWith: +))
            errors.append(statistics.deadLetters.errorsByStage["count"] ?? 0)
        }
        let expectedErrors = events.filter { $0.value % 10 == 0 }.count
        #expect(errors == [expectedErrors, expectedErrors])
        #expect(outputs[0] == outputs[1])
        #expect(outputs[1].values.reduce(0, +) == events.count - expectedErrors)
    }

    /// A failing sink fails the run (no hang): the workers, the router and any hand-off wait all end.
    @Test func failingSinkFailsTheRunWhileRescaling() async throws {
        let events = keyedEvents(count: 5_000, keys: 100, exponent: 1.0, seed: 0x51)
        var parallelism = KeyedParallelism(workers: 2, window: 200)
        parallelism._rescaleSchedule = [3, 1, 4]
        let pipeline = runningCountPipelineBody(events, parallelism).sink("out", FailingSink(failAfter: 5))
        await #expect(throws: FailingSink.Failure.self) {
            _ = try await ConcurrentEngine(batchSize: 16, channelCapacity: 32).run(pipeline)
        }
    }
}
