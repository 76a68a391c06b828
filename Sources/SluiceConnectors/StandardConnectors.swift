import Sluice

/// The built-in connectors for files and the standard streams.
enum StandardConnectors {
    static let chunkOption = ConnectorOption(
        "chunk-size", .integer(1...(64 << 20)), default: String(64 << 10), "bytes read per chunk")

    /// `file:PATH`: reads a file, or writes one (created or truncated; `append=true` appends).
    static let file = Connector(
        scheme: "file", summary: "a file on disk", forms: ["file:PATH", "file:///ABSOLUTE/PATH"],
        options: [chunkOption, ConnectorOption("append", .boolean, default: "false", "sink: append instead of truncating")],
        openSource: { endpoint in
            ConnectorSource(FileByteSource(path: endpoint.target, chunkSize: chunkSize(endpoint)))
        },
        openSink: { endpoint in
            try FileByteSink(path: endpoint.target, append: endpoint[option: "append"] == "true")
        },
        checkTarget: { endpoint, _ throws(ConnectorError) in
            guard !endpoint.target.isEmpty else {
                throw ConnectorError(code: .invalidURI, message: "'\(endpoint.uri)' names no file", field: "uri",
                    expected: "file:PATH, e.g. file:events.ndjson")
            }
        })

    /// `stdin:` (or `-` as a source): standard input.
    static let standardInput = Connector(
        scheme: "stdin", summary: "standard input (also written -)", forms: ["stdin:", "-"], options: [chunkOption],
        openSource: { endpoint in ConnectorSource(FileByteSource.standardInput(chunkSize: chunkSize(endpoint))) })

    /// `stdout:` (or `-` as a sink): standard output.
    static let standardOutput = Connector(
        scheme: "stdout", summary: "standard output (also written -)", forms: ["stdout:", "-"],
        openSink: { _ in FileByteSink(descriptor: 1, name: "<stdout>") })

    static func chunkSize(_ endpoint: ConnectorEndpoint) -> Int {
        // The registry checked the option against its integer range and filled in the default.
        Int(endpoint[option: "chunk-size"] ?? "") ?? (64 << 10)
    }
}
