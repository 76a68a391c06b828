/// A value that cannot be written as JSON, with the path to it.
public struct JSONSerializationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, extensible classification of serialization errors.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: Hashable, Sendable {
            case nonFiniteNumber
            case invalidNumberText
        }

        let base: Base

        /// An infinite or NaN `Double`: JSON has no way to write it.
        public static let nonFiniteNumber = Code(base: .nonFiniteNumber)
        /// A `JSONNumber.bigInteger` whose text is not a JSON integer.
        public static let invalidNumberText = Code(base: .invalidNumberText)

        /// The code in words: `non-finite number` or `invalid number text`.
        public var description: String {
            switch base {
            case .nonFiniteNumber: "non-finite number"
            case .invalidNumberText: "invalid number text"
            }
        }
    }

    /// What kind of error this is.
    public var code: Code
    /// What was found and why it cannot be written.
    public var message: String
    /// The JSON path to the offending value, such as `$.points[3].x`.
    public var path: String

    /// Creates an error.
    public init(code: Code, message: String, path: String) {
        self.code = code
        self.message = message
        self.path = path
    }

    /// `message at path`.
    public var description: String { "\(message) at \(path)" }
}
