import Sluice
import Synchronization

/// The resequencer stage: re-emits elements in order of their sequence number, holding early ones within a
/// window of `capacity` (see `Resequencer` for the rules and `ResequencerPolicy` for gaps and overflow).
/// Append it with `PipelineBuilder.resequence(...)`.
///
/// Synchronous; never suspends. Memory is bounded by `capacity` held elements. At the end of input the held
/// elements are released in order, gaps skipped. Counts go to `ResequencerCounters`.
public struct ResequencerOperator<Element: Sendable>: StageOperator {
    /// The elements consumed, each numbered by `sequence`.
    public typealias Input = Element
    /// The same elements, in sequence order.
    public typealias Output = Element

    let name: String
    let sequence: @Sendable (Element) -> UInt64
    let counters: ResequencerCounters
    var machine: Resequencer<Element>
    private var published = ResequencerCounters.Snapshot()

    /// Creates the stage.
    public init(
        name: String, sequence: @escaping @Sendable (Element) -> UInt64, capacity: Int, policy: ResequencerPolicy,
        firstSequence: UInt64 = 0, counters: ResequencerCounters = ResequencerCounters()
    ) {
        self.name = name
        self.sequence = sequence
        self.counters = counters
        machine = Resequencer(capacity: capacity, policy: policy, first: firstSequence)
    }

    /// Always false: the stage holds elements from call to call.
    public var isPure: Bool { false }
    /// Always `.stateful`.
    public var kind: StageKind { .stateful }

    /// Emits what `input` releases, in sequence order, or holds it; drops duplicates and numbers already passed,
    /// and handles one beyond the window by the policy: under `.deadLetter` it throws `ResequencerError`
    /// `beyondWindow`, counted as dead-lettered.
    public mutating func process(_ input: Element, emit: (Element) -> Void) throws {
        let number = sequence(input)
        let outcome = machine.accept(input, sequence: number, emit: emit)
        if outcome != .released || machine.reordered != published.reordered { publish() }
        if outcome == .refused {
            counters.add(deadLettered: 1)
            throw ResequencerError(
                code: .beyondWindow,
                message:
                    "resequencer \(name): sequence \(number) is beyond the window [\(machine.next), \(machine.next + UInt64(machine.capacity))) while waiting for \(machine.next)"
            )
        }
    }

    /// Releases every held element in sequence order, skipping the gaps, and publishes the final counts.
    public mutating func finish(emit: (Element) -> Void) throws {
        machine.finish(emit: emit)
        publish()
    }

    private mutating func publish() {
        let now = ResequencerCounters.Snapshot(
            reordered: machine.reordered, dropped: machine.dropped, skipped: machine.skipped,
            held: Int64(machine.heldCount), heldMax: Int64(machine.heldMax), deadLettered: 0)
        counters.add(
            reordered: now.reordered - published.reordered, dropped: now.dropped - published.dropped,
            skipped: now.skipped - published.skipped, held: now.held, heldMax: now.heldMax)
        published = now
    }
}

/// What resequencer stages did: elements reordered (emitted after being held), held now and at most,
/// dropped, gaps skipped, dead-lettered. Thread-safe (one `Mutex`, taken only when a count changes).
public final class ResequencerCounters: Sendable {
    /// The counts at one moment.
    public struct Snapshot: Sendable, Hashable {
        /// Elements emitted after being held.
        public var reordered: Int64 = 0
        /// Elements dropped (duplicates, below the window, beyond it under `.wait`).
        public var dropped: Int64 = 0
        /// Sequence numbers skipped.
        public var skipped: Int64 = 0
        /// Elements held now.
        public var held: Int64 = 0
        /// The most elements held at once.
        public var heldMax: Int64 = 0
        /// Elements sent to the dead-letter sink.
        public var deadLettered: Int64 = 0
    }

    private let state = Mutex(Snapshot())

    /// Creates zeroed counters.
    public init() {}

    /// The current counts.
    public var snapshot: Snapshot { state.withLock { $0 } }

    func add(
        reordered: Int64 = 0, dropped: Int64 = 0, skipped: Int64 = 0, held: Int64? = nil, heldMax: Int64 = 0,
        deadLettered: Int64 = 0
    ) {
        state.withLock { counts in
            counts.reordered += reordered
            counts.dropped += dropped
            counts.skipped += skipped
            if let held { counts.held = held }
            counts.heldMax = Swift.max(counts.heldMax, heldMax)
            counts.deadLettered += deadLettered
        }
    }
}

/// The error an element beyond the resequencer's window is dead-lettered with (`ResequencerPolicy.deadLetter`).
public struct ResequencerError: Error, Sendable, Hashable, CustomStringConvertible, StageErrorCoding {
    /// A stable classification.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: Hashable, Sendable { case beyondWindow }
        let base: Base
        /// The element's sequence number is beyond the window while a gap is open.
        public static let beyondWindow = Code(base: .beyondWindow)
        /// The code's stable text, `beyond-resequencer-window`.
        public var description: String { "beyond-resequencer-window" }
    }

    /// What kind of error.
    public var code: Code
    /// What happened, naming the stage, the sequence number and the window.
    public var message: String
    /// Always nil: bad data causes it.
    public var cause: String? { nil }

    /// The code's text (`beyond-resequencer-window`), for dead-letter records.
    public var errorCode: String { code.description }
    /// `CODE: MESSAGE`.
    public var description: String { "\(code): \(message)" }
}
