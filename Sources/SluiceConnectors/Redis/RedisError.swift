/// A Redis connection, command or reply that failed: names the server, and the command or stream involved.
public struct RedisError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable classification.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case connectFailed = "connect failed"
            case connectionClosed = "connection closed"
            case timedOut = "timed out"
            case malformedReply = "malformed reply"
            case unexpectedReply = "unexpected reply"
            case serverError = "server error"
            case leaseLost = "lease lost"
            case authenticationFailed = "authentication failed"
        }
        private let kind: Kind
        /// The code's text, e.g. `connect failed`.
        public var description: String { kind.rawValue }

        /// The server could not be reached within the connect deadline (after the retries with backoff).
        public static let connectFailed = Code(kind: .connectFailed)
        /// The connection closed while commands were waiting for replies.
        public static let connectionClosed = Code(kind: .connectionClosed)
        /// No reply came within the command timeout; the connection was closed.
        public static let timedOut = Code(kind: .timedOut)
        /// The bytes received are not RESP; the connection was closed.
        public static let malformedReply = Code(kind: .malformedReply)
        /// A well-formed reply of the wrong shape for the command (a number where an array was due).
        public static let unexpectedReply = Code(kind: .unexpectedReply)
        /// The server answered with an error reply (`-ERR …`).
        public static let serverError = Code(kind: .serverError)
        /// This node no longer holds the lease of a partition it was writing for.
        public static let leaseLost = Code(kind: .leaseLost)
        /// The server refused the connection's `AUTH` (wrong password or user), or demands one (`-NOAUTH`).
        public static let authenticationFailed = Code(kind: .authenticationFailed)
    }

    /// What went wrong.
    public var code: Code
    /// `host:port` of the server.
    public var server: String
    /// What failed and what was expected, naming the command, stream or field.
    public var message: String

    /// Creates an error.
    public init(code: Code, server: String, message: String) {
        self.code = code
        self.server = server
        self.message = message
    }

    /// `redis HOST:PORT: CODE: MESSAGE`.
    public var description: String { "redis \(server): \(code): \(message)" }

    /// True when the connection closed or timed out after the commands were sent: whether the server ran them is
    /// unknown (`.connectionClosed`, `.timedOut`). The pool opens a new connection for the next request, so a
    /// caller that can tell afterwards what ran (or whose commands are idempotent) may try again.
    public var isOutcomeUnknown: Bool { code == .connectionClosed || code == .timedOut }
}
