/// What a resequencer does with an element beyond its window (`sequence >= next + capacity`) while a gap
/// holds the stream back.
public enum ResequencerPolicy: String, Sendable, Hashable {
    /// Keep waiting for the gap: the element that does not fit is dropped and counted.
    case wait
    /// Give up on the gap: release the held elements in order, skipping the missing numbers, until the
    /// element fits.
    case skip
    /// Keep waiting for the gap: the element that does not fit goes to the dead-letter sink.
    case deadLetter = "dead-letter"
}

/// The resequencer's logic as a pure state machine: elements in, in-order elements and counts out.
///
/// Holds at most `capacity` elements: the window `[next, next + capacity)` of sequence numbers. An element
/// below `next` (a duplicate, or one whose gap was skipped) is dropped and counted.
public struct Resequencer<Element: Sendable>: Sendable {
    /// What happened to one input.
    public enum Outcome: Equatable, Sendable {
        /// Emitted now, possibly with held successors.
        case released
        /// Held until its predecessors arrive.
        case held
        /// Dropped: a duplicate, below the window, or beyond it under `.wait`.
        case dropped
        /// Beyond the window under `.deadLetter`.
        case refused
    }

    /// The next sequence number to emit.
    public private(set) var next: UInt64
    /// The most elements held.
    public let capacity: Int
    /// The overflow policy.
    public let policy: ResequencerPolicy
    private var held: [UInt64: Element] = [:]
    /// Elements emitted after being held.
    public private(set) var reordered: Int64 = 0
    /// Elements dropped.
    public private(set) var dropped: Int64 = 0
    /// Sequence numbers skipped over (never seen).
    public private(set) var skipped: Int64 = 0
    /// The most elements held at once.
    public private(set) var heldMax: Int = 0

    /// Creates a resequencer expecting `first` next.
    public init(capacity: Int, policy: ResequencerPolicy, first: UInt64 = 0) {
        precondition(capacity > 0, "resequencer capacity must be positive")
        self.capacity = capacity
        self.policy = policy
        next = first
    }

    /// Elements held now.
    public var heldCount: Int { held.count }

    /// Takes one element numbered `sequence`, emitting whatever it releases, in order. O(released).
    public mutating func accept(_ element: Element, sequence: UInt64, emit: (Element) -> Void) -> Outcome {
        if sequence < next || held[sequence] != nil {
            dropped += 1
            return .dropped
        }
        if sequence == next {
            emit(element)
            next += 1
            releaseConsecutive(emit)
            return .released
        }
        if sequence - next >= UInt64(capacity) {
            switch policy {
            case .wait:
                dropped += 1
                return .dropped
            case .deadLetter:
                return .refused
            case .skip:
                // Release in order, skipping the gaps, until `sequence` is inside the window.
                while sequence - next >= UInt64(capacity) {
                    if let element = held.removeValue(forKey: next) {
                        emit(element)
                        reordered += 1
                    } else {
                        skipped += 1
                    }
                    next += 1
                    releaseConsecutive(emit)
                }
                if sequence == next {
                    emit(element)
                    next += 1
                    releaseConsecutive(emit)
                    return .released
                }
            }
        }
        held[sequence] = element
        heldMax = Swift.max(heldMax, held.count)
        return .held
    }

    /// End of input: releases every held element in order, skipping the gaps. O(held log held).
    public mutating func finish(emit: (Element) -> Void) {
        for sequence in held.keys.sorted() {
            if let element = held.removeValue(forKey: sequence) {
                skipped += Int64(sequence - next)
                emit(element)
                reordered += 1
                next = sequence + 1
            }
        }
    }

    private mutating func releaseConsecutive(_ emit: (Element) -> Void) {
        while let element = held.removeValue(forKey: next) {
            emit(element)
            reordered += 1
            next += 1
        }
    }
}
