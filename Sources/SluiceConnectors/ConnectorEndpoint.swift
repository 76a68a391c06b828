/// A connector URI split into its parts, with its options checked and defaults filled in.
///
/// `file:logs/app.ndjson` has scheme `file` and target `logs/app.ndjson`; `tcp://127.0.0.1:9000` has scheme
/// `tcp` and target `127.0.0.1:9000`; `-` is `stdin:` as a source and `stdout:` as a sink. A query
/// (`tcp://127.0.0.1:9000?mode=listen`) adds options, which options given beside the URI override.
public struct ConnectorEndpoint: Sendable, Hashable {
    /// The URI as written.
    public var uri: String
    /// The scheme, lower-cased, without the colon.
    public var scheme: String
    /// What follows the scheme (and `//`), without the query.
    public var target: String
    /// Every option of the connector: given values, else defaults.
    public var options: [String: String]

    /// Creates an endpoint.
    public init(uri: String, scheme: String, target: String, options: [String: String]) {
        self.uri = uri
        self.scheme = scheme
        self.target = target
        self.options = options
    }

    /// The value of option `name` (given or default), if any.
    public subscript(option name: String) -> String? { options[name] }

    /// Splits `uri` into scheme, target and query options; `-` maps to `defaultDashScheme`.
    /// - Throws: `ConnectorError.invalidURI` when there is no scheme.
    static func split(_ uri: String, dashScheme: String) throws(ConnectorError) -> (
        scheme: String, target: String, query: [String: String]
    ) {
        if uri == "-" { return (dashScheme, "", [:]) }
        guard let colon = uri.firstIndex(of: ":"), colon != uri.startIndex else {
            throw ConnectorError(
                code: .invalidURI, message: "'\(uri)' has no scheme", field: "uri",
                expected: "SCHEME:TARGET, e.g. file:events.ndjson, stdin:, stdout:, tcp://127.0.0.1:9000, or -")
        }
        let scheme = uri[..<colon].lowercased()
        var rest = uri[uri.index(after: colon)...]
        if rest.hasPrefix("//") && scheme != "file" { rest = rest.dropFirst(2) }
        if scheme == "file" && rest.hasPrefix("//") { rest = rest.dropFirst(2) }
        var query: [String: String] = [:]
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                query[String(parts[0])] = parts.count > 1 ? String(parts[1]) : "true"
            }
            rest = rest[..<mark]
        }
        return (scheme, String(rest), query)
    }
}
