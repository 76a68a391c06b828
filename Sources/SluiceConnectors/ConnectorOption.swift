/// One option a connector accepts: its name, its type, and what it does. The registry checks every option
/// against these before anything is opened.
public struct ConnectorOption: Sendable, Hashable {
    /// The types an option value can have.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        case string
        /// An integer in the closed range.
        case integer(ClosedRange<Int>)
        case boolean
        /// One of the listed words.
        case choice([String])

        /// The type in words, as error messages give it for `expected` (e.g. `an integer in 1...10`).
        public var description: String {
            switch self {
            case .string: "a string"
            case .integer(let range): "an integer in \(range.lowerBound)...\(range.upperBound)"
            case .boolean: "true or false"
            case .choice(let words): "one of " + words.joined(separator: ", ")
            }
        }
    }

    /// The option's name, as written in a manifest's `options:` or a URI's query.
    public var name: String
    /// Its type.
    public var kind: Kind
    /// The value used when the option is not given (nil: none).
    public var defaultValue: String?
    /// One line on what it does.
    public var summary: String

    /// Creates an option.
    public init(_ name: String, _ kind: Kind, default defaultValue: String? = nil, _ summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
    }

    /// Checks `value` against the option's type.
    /// - Throws: `ConnectorError.invalidOption` naming the option and the type expected.
    public func check(_ value: String) throws(ConnectorError) {
        let fits: Bool =
            switch kind {
            case .string: true
            case .integer(let range): Int(value).map(range.contains) ?? false
            case .boolean: value == "true" || value == "false"
            case .choice(let words): words.contains(value)
            }
        guard fits else {
            var suggestions: [String] = []
            if case .choice(let words) = kind { suggestions = NameSuggestions.closeMatches(for: value, among: words) }
            throw ConnectorError(
                code: .invalidOption, message: "'\(value)' is not valid", field: name, expected: kind.description,
                suggestions: suggestions)
        }
    }
}
