/// A runtime type tag for graph validation.
struct GraphType: Sendable {
    let type: ObjectIdentifier
    let name: String

    init<Element>(_ type: Element.Type) {
        self.type = ObjectIdentifier(type)
        self.name = String(describing: type)
    }
}

/// A stage of a `PipelineGraph`: what validation needs to know, and how to make the per-run runner.
protocol GraphNode: Sendable {
    var name: String { get }
    var kind: StageKind { get }
    var inputType: GraphType? { get }
    var outputType: GraphType? { get }
    func makeRunner(index: Int) -> any GraphRunner
}

/// One graph stage during one run. A runner is confined to the thread (sync engine) or the task (concurrent
/// engine) that runs it.
protocol GraphRunner: AnyObject {
    var statistics: StageStatistics { get }
    /// Runs start hooks.
    func start()
    /// Takes one batch (an `[Input]` boxed as `Any`; validation guarantees the type) and returns its outputs,
    /// boxed, one entry per successor (`nil` where nothing goes to that successor).
    func process(_ batch: Any, _ router: DeadLetterRouter, successorCount: Int) throws -> [Any?]
    /// Takes one batch that arrived on input `input` (the position of its producer among the stage's
    /// predecessors, in connection order). Only a fan-in stage cares which input a batch came from.
    func process(_ batch: Any, input: Int, _ router: DeadLetterRouter, successorCount: Int) throws -> [Any?]
    /// Finishes the stage and returns what it still emits, like `process`.
    func finish(_ router: DeadLetterRouter, successorCount: Int) throws -> [Any?]
    /// Runs stop hooks.
    func stop()
}

extension GraphRunner {
    func start() {}
    func stop() {}

    func process(_ batch: Any, input: Int, _ router: DeadLetterRouter, successorCount: Int) throws -> [Any?] {
        try process(batch, router, successorCount: successorCount)
    }
}

/// The element type of a runner's input and output, for the concurrent engine's typed channels.
protocol TypedGraphRunner: GraphRunner {
    associatedtype Input: Sendable
    associatedtype Output: Sendable
}

struct SourceGraphNode<Source: PipelineSource>: GraphNode {
    let name: String
    let source: Source
    var kind: StageKind { .source }
    var inputType: GraphType? { nil }
    var outputType: GraphType? { GraphType(Source.Element.self) }

    func makeRunner(index: Int) -> any GraphRunner { SourceGraphRunner(name: name, source: source, index: index) }
}

final class SourceGraphRunner<Source: PipelineSource>: TypedGraphRunner {
    typealias Input = Never
    typealias Output = Source.Element
    var source: Source
    var statistics: StageStatistics
    var buffer: [Source.Element] = []

    init(name: String, source: Source, index: Int) {
        self.source = source
        statistics = StageStatistics(
            name: name, kind: .source, isPure: false, index: index, segment: index, processed: 0, emitted: 0,
            errors: 0)
    }

    /// Reads the next batch: the elements (possibly empty) and whether more may follow.
    func read(maxCount: Int) throws -> ([Source.Element], Bool) {
        buffer.removeAll(keepingCapacity: true)
        let hasMore = try source.read(into: &buffer, maxCount: maxCount)
        statistics.emitted += buffer.count
        return (buffer, hasMore)
    }

    func process(_ batch: Any, _ router: DeadLetterRouter, successorCount: Int) throws -> [Any?] {
        preconditionFailure("a source has no input")
    }

    func finish(_ router: DeadLetterRouter, successorCount: Int) throws -> [Any?] { [] }
}

struct OperatorGraphNode<Operator: StageOperator>: GraphNode {
    let node: StageNode<Operator>
    var name: String { node.name }
    var kind: StageKind { node.op.kind }
    var inputType: GraphType? { GraphType(Operator.Input.self) }
    var outputType: GraphType? { GraphType(Operator.Output.self) }

    func makeRunner(index: Int) -> any GraphRunner { OperatorGraphRunner(node: node, index: index) }
}

final class OperatorGraphRunner<Operator: StageOperator>: TypedGraphRunner {
    typealias Input = Operator.Input
    typealias Output = Operator.Output
    var node: StageNode<Operator>
    var emitted = 0

    init(node: StageNode<Operator>, index: Int) {
        var planned = node
        var plan = _ChainPlanState(fusion: .disabled, firstIndex: index)
        plan.segment = index
        planned._plan(&plan)
        self.node = planned
    }

    var statistics: StageStatistics {
        var collected: [StageStatistics] = []
        node._collectStatistics(into: &collected)
        collected[0].emitted = emitted
        return collected[0]
    }

    func start() { node._start() }
    func stop() { node._stop() }

    func process(_ batch: Any, _ router: DeadLetterRouter, successorCount: Int) throws -> [Any?] {
        // Validation checked that the predecessor emits `Input`.
        let input = batch as! [Operator.Input]
        var output: [Operator.Output] = []
        node._processBatch(input, router, into: &output)
        emitted += output.count
        return [output.isEmpty ? nil : output]
    }

    func finish(_ router: DeadLetterRouter, successorCount: Int) throws -> [Any?] {
        var output: [Operator.Output] = []
        node._finish(router) { output.append($0) }
        emitted += output.count
        return [output.isEmpty ? nil : output]
    }
}

struct FanOutGraphNode<Element: Sendable>: GraphNode {
    let name: String
    /// `nil` broadcasts; otherwise picks the successor for an element given the successor count.
    let route: (@Sendable (Element, Int) -> Int)?
    var kind: StageKind { .fanOut }
    var inputType: GraphType? { GraphType(Element.self) }
    var outputType: GraphType? { GraphType(Element.self) }

    func makeRunner(index: Int) -> any GraphRunner { FanOutGraphRunner(node: self, index: index) }
}

final class FanOutGraphRunner<Element: Sendable>: TypedGraphRunner {
    typealias Input = Element
    typealias Output = Element
    let route: (@Sendable (Element, Int) -> Int)?
    var statistics: StageStatistics
    /// Whether elements may be checkpoint barriers, which go to every successor, never by key.
    let carriesBarriers = Element.self is any _CheckpointBarrierCarrying.Type

    init(node: FanOutGraphNode<Element>, index: Int) {
        route = node.route
        statistics = StageStatistics(
            name: node.name, kind: .fanOut, isPure: true, index: index, segment: index, processed: 0, emitted: 0,
            errors: 0)
    }

    func process(_ batch: Any, _ router: DeadLetterRouter, successorCount: Int) throws -> [Any?] {
        // Validation checked that the predecessor emits `Element`.
        let input = batch as! [Element]
        statistics.processed += input.count
        guard let route else {
            statistics.emitted += input.count * successorCount
            return Array(repeating: input, count: successorCount)
        }
        var parts = Array(repeating: [Element](), count: successorCount)
        for element in input {
            if carriesBarriers, (element as? any _CheckpointBarrierCarrying)?._checkpointBarrier != nil {
                for part in parts.indices { parts[part].append(element) }
                statistics.emitted += successorCount - 1
            } else {
                parts[route(element, successorCount)].append(element)
            }
        }
        statistics.emitted += input.count
        return parts.map { $0.isEmpty ? nil : $0 }
    }

    func finish(_ router: DeadLetterRouter, successorCount: Int) throws -> [Any?] { [] }
}

struct MergeGraphNode<Element: Sendable>: GraphNode {
    let name: String
    var kind: StageKind { .fanIn }
    var inputType: GraphType? { GraphType(Element.self) }
    var outputType: GraphType? { GraphType(Element.self) }

    func makeRunner(index: Int) -> any GraphRunner { MergeGraphRunner<Element>(name: name, index: index) }
}

final class MergeGraphRunner<Element: Sendable>: TypedGraphRunner {
    typealias Input = Element
    typealias Output = Element
    var statistics: StageStatistics
    /// Set when `Element` carries checkpoint barriers (`StreamElement`): the merge aligns them across its inputs
    /// and forwards each barrier once, after it arrived on every input.
    var aligner: BarrierAligner<Element>?
    /// The barrier elements being aligned, by id, to forward once aligned.
    var barrierElements: [UInt64: Element] = [:]
    var finishedInputs: Set<Int> = []

    init(name: String, index: Int) {
        statistics = StageStatistics(
            name: name, kind: .fanIn, isPure: true, index: index, segment: index, processed: 0, emitted: 0, errors: 0)
    }

    /// Whether this merge aligns checkpoint barriers.
    static var isAligning: Bool { Element.self is any _CheckpointBarrierCarrying.Type }

    /// The barrier `element` is, if it is one.
    @inline(__always)
    static func barrier(of element: Element) -> CheckpointBarrier? {
        (element as? any _CheckpointBarrierCarrying)?._checkpointBarrier
    }

    /// Called by the engines before the run, with the number of inputs.
    func prepare(inputCount: Int) {
        if Self.isAligning { aligner = BarrierAligner(inputCount: inputCount) }
    }

    func process(_ batch: Any, _ router: DeadLetterRouter, successorCount: Int) throws -> [Any?] {
        try process(batch, input: 0, router, successorCount: successorCount)
    }

    func process(_ batch: Any, input: Int, _ router: DeadLetterRouter, successorCount: Int) throws -> [Any?] {
        // Validation checked that every predecessor emits `Element`.
        let elements = batch as! [Element]
        statistics.processed += elements.count
        guard aligner != nil else {
            statistics.emitted += elements.count
            return [batch]
        }
        var output: [Element] = []
        output.reserveCapacity(elements.count)
        for element in elements {
            if let barrier = Self.barrier(of: element) {
                barrierElements[barrier.id] = element
                apply(aligner!.barrier(barrier, input: input), into: &output)
            } else if aligner!.pendingBarrier == nil {
                output.append(element)
            } else {
                apply(aligner!.record(element, input: input), into: &output)
            }
        }
        statistics.emitted += output.count
        return [output.isEmpty ? nil : output]
    }

    /// Input `input` has ended; returns what that releases (aligned merges only).
    func inputFinished(_ input: Int) -> [Any?] {
        guard aligner != nil, finishedInputs.insert(input).inserted else { return [] }
        var output: [Element] = []
        apply(aligner!.inputFinished(input), into: &output)
        statistics.emitted += output.count
        return [output.isEmpty ? nil : output]
    }

    /// Whether input `input` is held back until the pending barrier has arrived on every input.
    func isBlocked(_ input: Int) -> Bool { aligner?.isBlocked(input) ?? false }

    private func apply(_ actions: [BarrierAligner<Element>.Action], into output: inout [Element]) {
        for action in actions {
            switch action {
            case .deliver(let element, _): output.append(element)
            case .snapshot(let barrier):
                // Stored when the barrier first arrived.
                output.append(barrierElements.removeValue(forKey: barrier.id)!)
            }
        }
    }

    func finish(_ router: DeadLetterRouter, successorCount: Int) throws -> [Any?] {
        guard let aligner else { return [] }
        // On `SyncEngine` every input has ended when the merge finishes; what was held back goes out now.
        var output: [Element] = []
        for input in 0..<aligner.inputCount where finishedInputs.insert(input).inserted {
            apply(self.aligner!.inputFinished(input), into: &output)
        }
        statistics.emitted += output.count
        return [output.isEmpty ? nil : output]
    }
}

/// A fan-in runner: told its number of inputs before the run.
protocol FanInRunning: AnyObject {
    func prepare(inputCount: Int)
    static var isAligning: Bool { get }
}

extension MergeGraphRunner: FanInRunning {}

struct SinkGraphNode<Sink: PipelineSink>: GraphNode {
    let name: String
    let sink: Sink
    var kind: StageKind { .sink }
    var inputType: GraphType? { GraphType(Sink.Input.self) }
    var outputType: GraphType? { nil }

    func makeRunner(index: Int) -> any GraphRunner { SinkGraphRunner(node: self, index: index) }
}

final class SinkGraphRunner<Sink: PipelineSink>: TypedGraphRunner {
    typealias Input = Sink.Input
    typealias Output = Never
    var sink: Sink
    var statistics: StageStatistics

    init(node: SinkGraphNode<Sink>, index: Int) {
        sink = node.sink
        statistics = StageStatistics(
            name: node.name, kind: .sink, isPure: false, index: index, segment: index, processed: 0, emitted: 0,
            errors: 0)
    }

    func process(_ batch: Any, _ router: DeadLetterRouter, successorCount: Int) throws -> [Any?] {
        // Validation checked that the predecessor emits `Input`.
        let input = batch as! [Sink.Input]
        guard !input.isEmpty else { return [] }
        statistics.processed += input.count
        try sink.consume(input)
        return []
    }

    func finish(_ router: DeadLetterRouter, successorCount: Int) throws -> [Any?] {
        try sink.finish()
        return []
    }
}
