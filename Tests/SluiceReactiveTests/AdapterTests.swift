import OpenCombine
import Sluice
import SluiceReactive
import SluiceTestKit
import Synchronization
import Testing

/// Behaviour of the adapters beyond the rules: outputs, demand as credit, both directions, AsyncSequence.
@Suite struct AdapterTests {
    /// Records every demand and element, and checks at every element that no more arrived than were requested.
    final class DemandRecorder: Subscriber, @unchecked Sendable {
        typealias Input = Int
        typealias Failure = any Error
        var requests: [Int]
        var requested = 0
        var received: [Int] = []
        var violations = 0
        var completion: Subscribers.Completion<any Error>?
        var subscription: (any Subscription)?
        let combineIdentifier = CombineIdentifier()

        init(requests: [Int]) { self.requests = requests }

        func receive(subscription: any Subscription) {
            self.subscription = subscription
            requestNext()
        }

        func receive(_ input: Int) -> Subscribers.Demand {
            received.append(input)
            if received.count > requested { violations += 1 }
            if received.count == requested { requestNext() }
            return .none
        }

        func receive(completion: Subscribers.Completion<any Error>) { self.completion = completion }

        func requestNext() {
            guard !requests.isEmpty else { return }
            let next = requests.removeFirst()
            requested += next
            subscription?.request(.max(next))
        }
    }

    /// Seeded: random demand sequences, emitted never above requested, outputs equal the SyncEngine's.
    @Test func demandAccountingHoldsAtEveryStep() throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0xDE_4A4D)
        let expected = OutputCollector<Int>()
        _ = try SyncEngine().run(Pipeline.source(0..<500).filter { $0 % 7 != 0 }.map { $0 * 3 }.sink(expected))
        for round in 0..<30 {
            let requests = (0..<400).map { _ in Int.random(in: 1...40, using: &random) }
            let recorder = DemandRecorder(requests: requests)
            Pipeline.source(0..<500).filter { $0 % 7 != 0 }.map { $0 * 3 }.publisher(batchSize: 8).subscribe(recorder)
            #expect(recorder.violations == 0, "seed \(random.seed), round \(round)")
            #expect(recorder.received == expected.elements, "seed \(random.seed), round \(round)")
            guard case .finished = recorder.completion else {
                Issue.record("seed \(random.seed), round \(round): not finished")
                return
            }
        }
    }

    /// Demand is credit all the way up: with a 1:1 chain the source reads exactly what was requested.
    @Test func theCursorReadsOnlyWhatIsAskedFor() throws {
        var cursor = Pipeline.source(0..<1_000).map { $0 + 1 }.cursor(batchSize: 64)
        var out: [Int] = []
        for demand in [1, 1, 5, 16, 3] {
            #expect(try cursor.next(into: &out, maxCount: demand))
            #expect(cursor.sourceCount == cursor.deliveredCount, "read \(cursor.sourceCount) for \(cursor.deliveredCount)")
        }
        #expect(out == Array(1...26))
        cursor.cancel()
        #expect(cursor.isFinished)
        #expect(try !cursor.next(into: &out, maxCount: 1))
    }

    /// The engines a source can run under: `SyncEngine.run` (synchronous), `SyncEngine.runAsync` and
    /// `ConcurrentEngine.run`.
    enum Engine: String, CaseIterable, Sendable {
        case sync, syncAsync, concurrent

        func run<Source, Chain, Sink>(_ pipeline: RunnablePipeline<Source, Chain, Sink>) async throws {
            switch self {
            case .sync: _ = try SyncEngine(batchSize: 16).run(pipeline)
            case .syncAsync: _ = try await SyncEngine(batchSize: 16).runAsync(pipeline)
            case .concurrent: _ = try await ConcurrentEngine(batchSize: 16, channelCapacity: 64).run(pipeline)
            }
        }
    }

    /// OpenCombine → Sluice: a publisher as a pipeline source, under every engine; the outstanding demand never
    /// exceeds the source's capacity.
    @Test(arguments: Engine.allCases)
    func publisherAsSourceUnderEveryEngine(engine: Engine) async throws {
        let outstanding = Mutex((current: 0, max: 0))
        let upstream = (0..<2_000).publisher.handleEvents(
            receiveOutput: { _ in outstanding.withLock { $0.current -= 1 } },
            receiveRequest: { demand in
                outstanding.withLock { $0.current += demand.max ?? 1_000_000; $0.max = max($0.max, $0.current) }
            })
        let output = OutputCollector<Int>()
        try await engine.run(Pipeline.source(publisher: upstream, capacity: 64).map { $0 * 2 }.sink(output))
        #expect(output.elements == (0..<2_000).map { $0 * 2 }, "\(engine)")
        #expect(outstanding.withLock { $0.max } <= 64, "\(engine)")
    }

    /// A publisher that sends more than it was asked for fails the run with `demandExceeded` (rule 1.1), under
    /// every engine: the source asks for its capacity (4), and the publisher answers every request with one more.
    @Test(arguments: Engine.allCases)
    func aPublisherThatSendsTooMuchFailsTheRun(engine: Engine) async {
        let output = OutputCollector<Int>()
        let pipeline = Pipeline.source(publisher: BrokenPublisher(count: 100, violation: .exceedsDemand), capacity: 4)
            .sink(output)
        let error = await #expect(throws: ReactiveError.self, "\(engine)") { try await engine.run(pipeline) }
        #expect(error?.code == .demandExceeded, "\(engine): \(String(describing: error))")
        #expect(output.elements.count <= 4, "\(engine): \(output.elements.count) elements reached the sink")
    }

    @Test func aPublisherThatCannotEmitSynchronouslyFailsTheSyncRunClearly() {
        let subject = PassthroughSubject<Int, Never>()
        let pipeline = Pipeline.source(publisher: subject).sink(OutputCollector<Int>())
        let error = #expect(throws: ReactiveError.self) { _ = try SyncEngine().run(pipeline) }
        #expect(error?.code == .wouldSuspend)
    }

    @Test func aPublisherFailureFailsTheRun() async {
        struct Upstream: Error {}
        let upstream = (0..<10).publisher.setFailureType(to: Upstream.self).tryMap { value -> Int in
            if value == 5 { throw Upstream() }
            return value
        }
        let pipeline = Pipeline.source(publisher: upstream).sink(OutputCollector<Int>())
        await #expect(throws: Upstream.self) { _ = try await ConcurrentEngine().run(pipeline) }
    }

    /// Sluice sink as a subscriber: batches of `batchSize`, the last partial batch at the end, then `finish`.
    @Test func sinkSubscriberBatchesAndFinishes() {
        let batches = Mutex<[[Int]]>([])
        let subscriber = SinkSubscriber(BatchSink<Int> { batch in batches.withLock { $0.append(batch) } }, batchSize: 4)
        (0..<10).publisher.subscribe(subscriber)
        #expect(batches.withLock { $0 } == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        #expect(subscriber.consumedCount == 10)
        guard case .finished = subscriber.completion else {
            Issue.record("expected .finished, got \(String(describing: subscriber.completion))")
            return
        }
    }

    /// AsyncSequence in, under both engines that can await, written exactly as `Pipeline.source(stream)`.
    @Test(arguments: [Engine.syncAsync, .concurrent])
    func asyncSequenceAsSource(engine: Engine) async throws {
        let stream = AsyncStream<Int> { continuation in
            for value in 0..<300 { continuation.yield(value) }
            continuation.finish()
        }
        let output = OutputCollector<Int>()
        let pipeline = Pipeline.source(stream).map { $0 + 1 }.sink(output)
        try await engine.run(pipeline)
        #expect(output.elements == Array(1...300), "\(engine)")
        // The named form, too.
        let named = OutputCollector<Int>()
        try await engine.run(Pipeline.source("numbers", AsyncStream<Int> { $0.yield(7); $0.finish() }).sink(named))
        #expect(named.elements == [7], "\(engine)")
    }

    /// A live sequence's elements reach the sink as they arrive, each before the next exists: the source does not
    /// wait for a full batch (the engines ask for 16 here). Before, a read awaited 16 elements, so this sink saw
    /// nothing until the sequence ended. The wait for each element yields to other tasks a bounded number of
    /// times (no clock), so a regression fails instead of hanging.
    @Test(arguments: [Engine.syncAsync, .concurrent])
    func aLiveSequencesElementsFlowAsTheyArrive(engine: Engine) async throws {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let output = OutputCollector<Int>()
        let run = Task { try await engine.run(Pipeline.source(stream).map { $0 * 10 }.sink(output)) }
        for value in 0..<5 {
            continuation.yield(value)
            var spins = 0
            while output.elements.count <= value && spins < 2_000_000 {
                await Task.yield()
                spins += 1
            }
            #expect(output.elements == (0...value).map { $0 * 10 }, "\(engine): element \(value)")
        }
        continuation.finish()
        try await run.value
        #expect(output.elements == [0, 10, 20, 30, 40])
    }

    /// An error the sequence throws fails the run after the elements before it (before, a read that met the
    /// error mid-batch dropped them), and at most `capacity` elements are read ahead of a reader that takes none.
    @Test func theSequencesErrorComesAfterItsElementsAndTheReadAheadIsBounded() async throws {
        struct Boom: Error {}
        let failing = AsyncThrowingStream<Int, any Error> { continuation in
            for value in 0..<10 { continuation.yield(value) }
            continuation.finish(throwing: Boom())
        }
        let collected = OutputCollector<Int>()
        await #expect(throws: Boom.self) {
            try await Engine.concurrent.run(Pipeline.source(failing).sink(collected))
        }
        #expect(collected.elements == Array(0..<10))
        // Read-ahead: after one read, the iterating task fills the 8-element buffer and waits; the sequence is
        // asked for at most the first element, the 8 buffered and the one the task holds while it waits.
        let produced = Produced()
        var source = AsyncSequenceSource(CountingSequence(limit: 1_000, produced: produced), capacity: 8)
        var buffer: [Int] = []
        #expect(try await source.readAsync(into: &buffer, maxCount: 1))
        var spins = 0
        while produced.count < 9 && spins < 100_000 {
            await Task.yield()
            spins += 1
        }
        #expect(produced.count <= 1 + 8 + 1, "read \(produced.count) ahead")
        #expect(produced.count >= 9, "the iterating task reads ahead while the pipeline works")
    }

    /// A read in a cancelled task throws `CancellationError` though elements are buffered: a producer faster
    /// than the pipeline would otherwise keep a cancelled run reading.
    @Test func aCancelledReadThrowsThoughElementsAreBuffered() async throws {
        let produced = Produced()
        let outcome = await Task {
            var source = AsyncSequenceSource(CountingSequence(limit: 100, produced: produced), capacity: 64)
            var buffer: [Int] = []
            _ = try await source.readAsync(into: &buffer, maxCount: 1)
            withUnsafeCurrentTask { $0?.cancel() }
            do {
                _ = try await source.readAsync(into: &buffer, maxCount: 1)
                return "read on"
            } catch is CancellationError {
                return "cancelled"
            }
        }.result
        #expect((try? outcome.get()) == "cancelled")
    }

    /// How many elements a `CountingSequence` produced.
    final class Produced: Sendable {
        private let value = Mutex(0)
        var count: Int { value.withLock { $0 } }
        func add() { value.withLock { $0 += 1 } }
    }

    /// Counts the elements its iterators produce; 0, 1, 2, … up to `limit`.
    struct CountingSequence: AsyncSequence, Sendable {
        let limit: Int
        let produced: Produced

        struct AsyncIterator: AsyncIteratorProtocol {
            let limit: Int
            let produced: Produced
            var next = 0
            mutating func next() async -> Int? {
                guard next < limit else { return nil }
                produced.add()
                next += 1
                return next - 1
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(limit: limit, produced: produced) }
    }

    /// AsyncSequence out: pulled on demand (no task), and through a bridge from the concurrent engine.
    @Test func outputsAsAsyncSequence() async throws {
        var pulled: [Int] = []
        for try await value in Pipeline.source(0..<100).filter { $0.isMultiple(of: 3) }.outputs(batchSize: 4) {
            pulled.append(value)
        }
        #expect(pulled == (0..<100).filter { $0.isMultiple(of: 3) })
        let first = try await Pipeline.source(0..<100_000).map { $0 * 2 }.withOutputs(capacity: 64) { outputs in
            var taken: [Int] = []
            for try await value in outputs {
                taken.append(value)
                if taken.count == 10 { break }
            }
            return taken
        }
        #expect(first == (0..<10).map { $0 * 2 })
    }
}
