/// Why a send to a ``BoundedChannel`` did not deliver all of its elements.
///
/// A batch send enqueues a prefix of its elements before it fails; ``acceptedCount`` says how long that
/// prefix is, so a caller can resend exactly the rest without losing or duplicating an element.
public struct ChannelError: Error, Hashable, CustomStringConvertible {
    /// The kind of failure. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case full
            case finished
            case cancelled
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The channel had no room and its overflow policy is ``ChannelOverflowPolicy/fail``.
        public static let full = Code(.full)
        /// The channel was finished (or failed) before all elements were enqueued.
        public static let finished = Code(.finished)
        /// The sending task was cancelled while it was suspended waiting for room (batch sends only;
        /// a single-element send throws `CancellationError`).
        public static let cancelled = Code(.cancelled)

        /// `full`, `finished` or `cancelled`.
        public var description: String {
            switch value {
            case .full: "full"
            case .finished: "finished"
            case .cancelled: "cancelled"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The channel's name, for context.
    public var channelName: String
    /// How many of the elements given to the failing send were enqueued (always a prefix of them).
    public var acceptedCount: Int

    /// Creates an error.
    public init(code: Code, message: String, channelName: String, acceptedCount: Int) {
        self.code = code
        self.message = message
        self.channelName = channelName
        self.acceptedCount = acceptedCount
    }

    /// `channel '<name>': <code>: <message> (<n> accepted)`.
    public var description: String {
        "channel '\(channelName)': \(code): \(message) (\(acceptedCount) accepted)"
    }
}
