import OpenCombine
import Sluice
import SluiceReactive

/// The reactive-interop suite: Sluice to OpenCombine (`PipelinePublisher` into a subscriber) and OpenCombine to
/// Sluice (a publisher as a pipeline's source), each at a demand of 1, 16, 256 and unbounded, against OpenCombine's
/// own `PassthroughSubject` into a subscriber at the same demand. One operation moves `elements` integers.
enum ReactiveBenchmarks {
    static let demands: [Int?] = [1, 16, 256, nil]
    static let defaultElements = 100_000
    static let parameters = [
        BenchmarkParameterSpec("elements", .int, "elements per operation; default \(defaultElements)")
    ]

    static func label(_ demand: Int?) -> String { demand.map { "demand\($0)" } ?? "unbounded" }

    static let all: [Benchmark] = demands.flatMap { demand in
        [
            publisher(demand: demand).peer("meso/reactive/passthrough/\(label(demand))"),
            subscriber(demand: demand).peer("meso/reactive/passthrough/\(label(demand))"),
            passthrough(demand: demand),
        ]
    } + [sinkSubscriber().peer("meso/reactive/passthrough/demand256")]

    struct State {
        var elements: Int
        var received = 0
        var sum = 0
        var expectedSum: Int { elements * (elements - 1) / 2 }
    }

    static func setup(_ parameters: BenchmarkParameters) -> BenchmarkSetup<State> {
        let elements = max(1, parameters.int("elements", default: defaultElements))
        return BenchmarkSetup(state: State(elements: elements), itemsPerOperation: Double(elements))
    }

    static func check(_ state: State) -> String? {
        state.received == state.elements && state.sum == state.expectedSum
            ? nil : "received \(state.received) elements summing to \(state.sum); expected \(state.elements), \(state.expectedSum)"
    }

    /// Requests `demand` at a time (re-requesting from `receive` when a batch is used up), or everything at once.
    final class CountingSubscriber<Failure: Error>: Subscriber, @unchecked Sendable {
        // `@unchecked Sendable`: used only on the benchmark's thread; publishers here deliver synchronously.
        typealias Input = Int
        let demand: Int?
        var outstanding = 0
        var received = 0
        var sum = 0
        var isFinished = false
        let combineIdentifier = CombineIdentifier()

        init(demand: Int?) { self.demand = demand }

        func receive(subscription: any Subscription) {
            if let demand {
                outstanding = demand
                subscription.request(.max(demand))
            } else {
                subscription.request(.unlimited)
            }
        }

        func receive(_ input: Int) -> Subscribers.Demand {
            received += 1
            sum &+= input
            guard let demand else { return .none }
            outstanding -= 1
            if outstanding == 0 {
                outstanding = demand
                return .max(demand)
            }
            return .none
        }

        func receive(completion: Subscribers.Completion<Failure>) { isFinished = true }
    }

    /// `meso/reactive/publisher/<demand>`: `PipelinePublisher` over `0..<elements` into a counting subscriber.
    static func publisher(demand: Int?) -> Benchmark {
        Benchmark.synchronous(
            "meso/reactive/publisher/\(label(demand))",
            summary: "Sluice PipelinePublisher into an OpenCombine subscriber requesting \(demand.map(String.init) ?? "unbounded")",
            parameters: parameters, setup: setup,
            operation: { state in
                let subscriber = CountingSubscriber<any Error>(demand: demand)
                Pipeline.source(0..<state.elements).publisher().subscribe(subscriber)
                state.received = subscriber.isFinished ? subscriber.received : -1
                state.sum = subscriber.sum
            }, check: check)
    }

    /// `meso/reactive/subscriber/<demand>`: OpenCombine's `Publishers.Sequence` as a pipeline source whose
    /// credit (outstanding demand) is `demand`, run by the `SyncEngine` into a counting sink.
    static func subscriber(demand: Int?) -> Benchmark {
        Benchmark.synchronous(
            "meso/reactive/subscriber/\(label(demand))",
            summary: "OpenCombine publisher into a Sluice pipeline with \(demand.map(String.init) ?? "unbounded") credit",
            parameters: parameters, setup: setup,
            operation: { state in
                let credit = demand ?? state.elements
                let counter = SumSink()
                let pipeline = Pipeline.source(publisher: (0..<state.elements).publisher, capacity: credit)
                    .sink("count", counter)
                _ = try SyncEngine(batchSize: min(credit, 256), metrics: .disabled).run(pipeline)
                state.received = counter.box.count
                state.sum = counter.box.sum
            }, check: check)
    }

    /// `meso/reactive/sink/batch256`: OpenCombine's `PassthroughSubject` into a Sluice sink through
    /// `SinkSubscriber`, which requests 256 elements at a time; the peer is the same subject into a subscriber
    /// requesting 256 at a time.
    static func sinkSubscriber() -> Benchmark {
        Benchmark.synchronous(
            "meso/reactive/sink/batch256",
            summary: "OpenCombine PassthroughSubject into a Sluice sink through SinkSubscriber, 256 requested at a time",
            parameters: parameters, setup: setup,
            operation: { state in
                let subject = PassthroughSubject<Int, Never>()
                let counter = SumSink()
                let subscriber = SinkSubscriber(counter, batchSize: 256, failure: Never.self)
                subject.subscribe(subscriber)
                for value in 0..<state.elements { subject.send(value) }
                subject.send(completion: .finished)
                if case .finished? = subscriber.completion {
                    state.received = counter.box.count
                } else {
                    state.received = -1
                }
                state.sum = counter.box.sum
            }, check: check)
    }

    /// `meso/reactive/passthrough/<demand>`: the peer, OpenCombine's `PassthroughSubject` into the same subscriber.
    static func passthrough(demand: Int?) -> Benchmark {
        Benchmark.synchronous(
            "meso/reactive/passthrough/\(label(demand))",
            summary: "OpenCombine PassthroughSubject into a subscriber requesting \(demand.map(String.init) ?? "unbounded")",
            parameters: parameters, setup: setup,
            operation: { state in
                let subject = PassthroughSubject<Int, Never>()
                let subscriber = CountingSubscriber<Never>(demand: demand)
                subject.subscribe(subscriber)
                for value in 0..<state.elements { subject.send(value) }
                subject.send(completion: .finished)
                state.received = subscriber.isFinished ? subscriber.received : -1
                state.sum = subscriber.sum
            }, check: check)
    }

    /// A sink that counts and sums into a shared box.
    struct SumSink: PipelineSink {
        final class Box: @unchecked Sendable {
            // `@unchecked Sendable`: written by the engine's one sink call at a time, read after the run.
            var count = 0
            var sum = 0
        }
        let box = Box()

        func consume(_ batch: [Int]) throws {
            box.count += batch.count
            for value in batch { box.sum &+= value }
        }
    }
}
