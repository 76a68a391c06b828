/// Aligns checkpoint barriers across the inputs of a stage with several inputs (a pure state machine).
///
/// When a barrier arrives on one input, that input is blocked: what it delivers next (records, and later
/// barriers) is held back, not delivered, until the same barrier has arrived on every input that has not finished.
/// Then the stage snapshots and forwards the barrier once (`.snapshot`), and the held-back events are replayed in
/// arrival order (they may block their input again). This is what makes a snapshot exact: it holds every record
/// before the barrier on every input and none after. An input that has finished counts as aligned for every later
/// barrier (everything it delivered precedes them). Feed events in, perform the actions out.
///
/// The engines use it in every merge of `StreamElement`s (`PipelineGraph.addMerge`): `ConcurrentEngine` stops
/// reading a blocked input's channel, so nothing is held here and the input's producer feels backpressure;
/// `SyncEngine` pushes, so a blocked input's records are held here until the barrier aligns.
public struct BarrierAligner<Record> {
    /// What the owner must do after an event.
    public enum Action {
        /// Deliver this record to the stage now.
        case deliver(Record, input: Int)
        /// Every input delivered barrier `id` (or finished): snapshot the stage state and forward the barrier
        /// downstream, once.
        case snapshot(CheckpointBarrier)
    }

    enum Event {
        case record(Record)
        case barrier(CheckpointBarrier)
    }

    /// The number of inputs.
    public let inputCount: Int
    private var pending: CheckpointBarrier?
    private var lastAligned: UInt64?
    private var arrived: [Bool]
    private var finished: [Bool]
    private var buffered: [(event: Event, input: Int)] = []

    /// Creates an aligner for `inputCount` inputs.
    /// - Precondition: `inputCount > 0`.
    public init(inputCount: Int) {
        precondition(inputCount > 0, "a stage has at least one input")
        self.inputCount = inputCount
        arrived = Array(repeating: false, count: inputCount)
        finished = Array(repeating: false, count: inputCount)
    }

    /// Whether `input` is blocked, waiting for the other inputs' barriers.
    public func isBlocked(_ input: Int) -> Bool { pending != nil && arrived[input] }

    /// The barrier being aligned, if one has arrived on some input but not yet on all.
    public var pendingBarrier: CheckpointBarrier? { pending }

    /// The events (records and barriers) held back so far.
    public var bufferedCount: Int { buffered.count }

    /// A record arrived on `input`: delivered now, or held back when that input is blocked. O(1).
    public mutating func record(_ record: Record, input: Int) -> [Action] {
        var actions: [Action] = []
        feed(.record(record), input: input, into: &actions)
        return actions
    }

    /// A barrier arrived on `input`. Barriers must arrive in increasing id order on each input, and every input
    /// delivers the same barriers. O(1), plus the held-back events released when it completes an alignment.
    public mutating func barrier(_ barrier: CheckpointBarrier, input: Int) -> [Action] {
        var actions: [Action] = []
        feed(.barrier(barrier), input: input, into: &actions)
        return actions
    }

    /// `input` has ended: it delivers nothing more and counts as aligned for the pending and every later barrier.
    /// Returns what that releases. - Precondition: each input finishes once.
    public mutating func inputFinished(_ input: Int) -> [Action] {
        precondition(input >= 0 && input < inputCount, "input \(input) out of range")
        precondition(!finished[input], "input \(input) finished twice")
        finished[input] = true
        var actions: [Action] = []
        completeIfAligned(into: &actions)
        return actions
    }

    private mutating func feed(_ event: Event, input: Int, into actions: inout [Action]) {
        precondition(input >= 0 && input < inputCount, "input \(input) out of range")
        precondition(!finished[input], "input \(input) delivered after it finished")
        if isBlocked(input) {
            buffered.append((event, input))
            return
        }
        switch event {
        case .record(let record):
            actions.append(.deliver(record, input: input))
        case .barrier(let barrier):
            if let pending {
                precondition(pending == barrier, "barrier \(barrier.id) arrived on input \(input) while aligning \(pending.id)")
            } else {
                precondition(lastAligned.map { barrier.id > $0 } ?? true, "barrier \(barrier.id) arrived twice or out of order")
                pending = barrier
            }
            arrived[input] = true
            completeIfAligned(into: &actions)
        }
    }

    private mutating func completeIfAligned(into actions: inout [Action]) {
        guard let barrier = pending else { return }
        for input in 0..<inputCount where !arrived[input] && !finished[input] { return }
        actions.append(.snapshot(barrier))
        pending = nil
        lastAligned = barrier.id
        for input in 0..<inputCount { arrived[input] = false }
        let released = buffered
        buffered = []
        // Replaying may block an input again on a later barrier; what follows it is then held back once more.
        for (event, input) in released {
            if isBlocked(input) {
                buffered.append((event, input))
            } else {
                finishedFeed(event, input: input, into: &actions)
            }
        }
    }

    /// Feeds a held-back event: its input may have finished since (it was held before the input ended).
    private mutating func finishedFeed(_ event: Event, input: Int, into actions: inout [Action]) {
        let hasFinished = finished[input]
        finished[input] = false
        feed(event, input: input, into: &actions)
        finished[input] = hasFinished
        if hasFinished { completeIfAligned(into: &actions) }
    }
}
