/// The connectors a pipeline can name, by URI scheme.
///
/// `standard` holds `file:`, `stdin:` (and `-`), `stdout:`, `tcp://` and `redis://` (Redis Streams). Resolving a URI checks the scheme, the
/// role, the target and every option against the connector's schema: nothing is opened until the pipeline runs.
public struct ConnectorRegistry: Sendable {
    private var connectors: [String: Connector] = [:]
    private var reserved: [String: String] = [:]

    /// An empty registry.
    public init() {}

    /// The built-in connectors.
    public static var standard: ConnectorRegistry {
        var registry = ConnectorRegistry()
        registry.register(StandardConnectors.file)
        registry.register(StandardConnectors.standardInput)
        registry.register(StandardConnectors.standardOutput)
        registry.register(TCPConnector.connector)
        registry.register(RedisStreamsConnector.connector)
        return registry
    }

    /// Adds `connector`, replacing any connector or reservation with the same scheme.
    public mutating func register(_ connector: Connector) {
        connectors[connector.scheme] = connector
        reserved[connector.scheme] = nil
    }

    /// Marks `scheme` as known but unavailable: resolving it fails with `reason`.
    public mutating func reserve(_ scheme: String, reason: String) {
        reserved[scheme.lowercased()] = reason
    }

    /// The registered connectors, sorted by scheme.
    public var all: [Connector] { connectors.values.sorted { $0.scheme < $1.scheme } }

    /// The connector for `scheme`, if registered.
    public func connector(for scheme: String) -> Connector? { connectors[scheme.lowercased()] }

    /// Splits `uri`, finds its connector, and checks the role, the target and `options` (merged over the URI's
    /// query) against the connector's schema.
    /// - Throws: `ConnectorError` naming the field (`uri` or an option) and what was expected; an unknown scheme
    ///   lists the registered ones and the close matches.
    public func resolve(
        _ uri: String, options given: [String: String] = [:], as role: ConnectorRole
    ) throws(ConnectorError) -> (Connector, ConnectorEndpoint) {
        let parts = try ConnectorEndpoint.split(uri, dashScheme: role == .source ? "stdin" : "stdout")
        if let reason = reserved[parts.scheme] {
            throw ConnectorError(code: .unavailable, message: "'\(parts.scheme):' is reserved: \(reason)", field: "uri",
                expected: "one of the registered schemes: \(schemeList)")
        }
        guard let connector = connectors[parts.scheme] else {
            throw ConnectorError(
                code: .unknownScheme, message: "unknown scheme '\(parts.scheme)'", field: "uri",
                expected: "one of the registered schemes: \(schemeList)",
                suggestions: NameSuggestions.closeMatches(for: parts.scheme, among: connectors.keys))
        }
        guard connector.roles.contains(role) else {
            throw ConnectorError(
                code: .invalidURI, message: "'\(connector.scheme):' cannot be a \(role.rawValue)", field: "uri",
                expected: "a scheme usable as a \(role.rawValue): "
                    + all.filter { $0.roles.contains(role) }.map { "\($0.scheme):" }.joined(separator: ", "))
        }
        var options = parts.query.merging(given) { $1 }
        let known = Set(connector.options.map(\.name))
        for name in options.keys.sorted() where !known.contains(name) {
            throw ConnectorError(
                code: .unknownOption, message: "'\(connector.scheme):' has no option '\(name)'", field: name,
                expected: known.isEmpty ? "no options" : "one of " + known.sorted().joined(separator: ", "),
                suggestions: NameSuggestions.closeMatches(for: name, among: known))
        }
        for option in connector.options {
            if let value = options[option.name] {
                try option.check(value)
            } else if let value = option.defaultValue {
                options[option.name] = value
            }
        }
        let endpoint = ConnectorEndpoint(uri: uri, scheme: parts.scheme, target: parts.target, options: options)
        try connector.checkTarget(endpoint, role)
        return (connector, endpoint)
    }

    private var schemeList: String { all.map { "\($0.scheme):" }.joined(separator: ", ") }
}
