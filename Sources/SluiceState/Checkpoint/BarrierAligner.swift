/// Aligns checkpoint barriers across the inputs of a stage with several inputs (a pure state machine).
///
/// When a barrier arrives on one input, that input is blocked: its later records are buffered, not
/// delivered, until the same barrier has arrived on every input. Then the stage snapshots (`.snapshot`), and
/// the buffered records are released in arrival order. This is what makes the snapshot exact: it holds
/// every record before the barrier on every input and none after. Feed events in, perform the actions out.
public struct BarrierAligner<Record> {
    /// What the owner must do after an event.
    public enum Action {
        /// Deliver this record to the stage now.
        case deliver(Record, input: Int)
        /// Every input delivered barrier `id`: snapshot the stage state and forward the barrier downstream.
        case snapshot(CheckpointBarrier)
    }

    private let inputCount: Int
    private var pending: CheckpointBarrier?
    private var arrived: [Bool]
    private var buffered: [(Record, Int)] = []

    /// Creates an aligner for `inputCount` inputs.
    public init(inputCount: Int) {
        precondition(inputCount > 0, "a stage has at least one input")
        self.inputCount = inputCount
        arrived = Array(repeating: false, count: inputCount)
    }

    /// Whether `input` is blocked, waiting for the other inputs' barriers.
    public func isBlocked(_ input: Int) -> Bool { pending != nil && arrived[input] }

    /// The records held back so far.
    public var bufferedCount: Int { buffered.count }

    /// A record arrived on `input`: delivered now, or buffered when that input is blocked.
    public mutating func record(_ record: Record, input: Int) -> [Action] {
        precondition(input >= 0 && input < inputCount, "input \(input) out of range")
        if isBlocked(input) {
            buffered.append((record, input))
            return []
        }
        return [.deliver(record, input: input)]
    }

    /// A barrier arrived on `input`. Barriers must arrive in id order on each input, one at a time.
    public mutating func barrier(_ barrier: CheckpointBarrier, input: Int) -> [Action] {
        precondition(input >= 0 && input < inputCount, "input \(input) out of range")
        if let pending {
            precondition(pending == barrier, "barrier \(barrier.id) arrived while aligning \(pending.id)")
            precondition(!arrived[input], "input \(input) delivered barrier \(barrier.id) twice")
        } else {
            pending = barrier
        }
        arrived[input] = true
        guard !arrived.contains(false) else { return [] }
        var actions: [Action] = [.snapshot(barrier)]
        pending = nil
        arrived = Array(repeating: false, count: inputCount)
        let released = buffered
        buffered = []
        for (record, input) in released { actions.append(.deliver(record, input: input)) }
        return actions
    }
}
