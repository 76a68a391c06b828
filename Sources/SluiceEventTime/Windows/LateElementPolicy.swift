import Sluice

/// What a window stage does with an element too late for every window it belongs to (beyond the allowed
/// lateness), or refused by the late event guard: drop and count it, route it to the pipeline's dead-letter
/// sink, or hand it to a side output.
public struct LateElementPolicy<Element: Sendable>: Sendable {
    @usableFromInline enum Kind: Sendable {
        case drop
        case deadLetter
        case sideOutput(@Sendable (LateElement<Element>) -> Void)
    }

    @usableFromInline let kind: Kind

    /// Drop the element; `WindowCounters.lateDropped` counts it.
    public static var drop: LateElementPolicy { LateElementPolicy(kind: .drop) }

    /// Route the element to the pipeline's dead-letter sink with a `LateElementError` (`late-element`).
    public static var deadLetter: LateElementPolicy { LateElementPolicy(kind: .deadLetter) }

    /// Call `output` with the element, on the stage's thread, synchronously (keep it short; it must not block).
    public static func sideOutput(_ output: @escaping @Sendable (LateElement<Element>) -> Void) -> LateElementPolicy {
        LateElementPolicy(kind: .sideOutput(output))
    }
}

/// An element a window stage did not aggregate, as handed to a side output.
public struct LateElement<Element: Sendable>: Sendable {
    /// Why the element was refused.
    public enum Reason: String, Sendable, Hashable {
        /// The watermark had passed the end of its last window plus the allowed lateness.
        case beyondAllowedLateness = "beyond-allowed-lateness"
        /// Its window would have exceeded the late event guard's cap (`WindowOverflowPolicy.rejectNew`).
        case windowCapReached = "window-cap-reached"
    }

    /// The element.
    public var element: Element
    /// Its event time (ms).
    public var timestamp: Int64
    /// The stage's watermark when it arrived.
    public var watermark: Int64
    /// Why it was refused.
    public var reason: Reason

    @usableFromInline
    init(element: Element, timestamp: Int64, watermark: Int64, reason: Reason) {
        (self.element, self.timestamp, self.watermark, self.reason) = (element, timestamp, watermark, reason)
    }
}

/// The error a late element is routed to the dead-letter sink with (`LateElementPolicy.deadLetter`).
public struct LateElementError: Error, Sendable, Hashable, CustomStringConvertible, StageErrorCoding {
    /// A stable classification.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: Hashable, Sendable {
            case late
            case windowCap
        }

        let base: Base
        /// Beyond the allowed lateness.
        public static let beyondAllowedLateness = Code(base: .late)
        /// Refused by the late event guard.
        public static let windowCapReached = Code(base: .windowCap)

        /// The code's stable text: `late-element` or `window-cap-reached`.
        public var description: String {
            switch base {
            case .late: "late-element"
            case .windowCap: "window-cap-reached"
            }
        }
    }

    /// What kind of refusal.
    public var code: Code
    /// What happened, naming the stage, the element's timestamp and the watermark.
    public var message: String
    /// Nothing caused it but the data; kept for the error shape every Sluice error has.
    public var cause: (any Error & Sendable)? { nil }

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The code's text (`late-element` or `window-cap-reached`), for dead-letter records.
    public var errorCode: String { code.description }
    /// `CODE: MESSAGE`.
    public var description: String { "\(code): \(message)" }

    /// Equal when the codes and the messages are.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.message == rhs.message }
    /// Hashes the code and the message.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }
}
