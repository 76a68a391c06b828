import SluiceConnectors
import SluiceManifest
import Testing

/// Every malformed manifest gives a located `ManifestError`: file, line, column, field, what was expected, and
/// close matches for misspellings.
@Suite struct ManifestValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var text: String
        var code: ManifestError.Code
        var line: Int
        var column: Int
        var field: String
        /// Substrings the description must contain.
        var mentions: [String]
        var testDescription: String { label }
    }

    static let valid = """
        source: file:in.ndjson
        stages:
          - filter: '.level == "error"'
        sink: "stdout:"
        """

    static let cases: [Case] = [
        Case(label: "misspelled operator", text: """
            source: file:in.ndjson
            stages:
              - name: errors
                filtr: '.level == "error"'
            sink: "stdout:"
            """, code: .unknownOperator, line: 4, column: 5, field: "stages[0].filtr",
            mentions: ["unknown operator 'filtr'", "did you mean 'filter'?", "expected one of filter, project"]),
        Case(label: "misspelled top-level field", text: """
            source: file:in.ndjson
            stagse: []
            sink: "stdout:"
            """, code: .unknownField, line: 2, column: 1, field: "stagse", mentions: ["did you mean 'stages'?"]),
        Case(label: "misspelled source option", text: """
            source:
              uri: file:in.ndjson
              framng: ndjson
            sink: "stdout:"
            """, code: .unknownField, line: 3, column: 3, field: "source.framng", mentions: ["did you mean 'framing'?"]),
        Case(label: "bad framing value", text: """
            source:
              uri: file:in.ndjson
              framing: ndjsn
            sink: "stdout:"
            """, code: .invalidValue, line: 3, column: 12, field: "source.framing",
            mentions: ["expected one of ndjson, concat, length-prefixed", "did you mean 'ndjson'?"]),
        Case(label: "unknown scheme lists the registered ones", text: """
            source: ftp://example.com/x
            sink: "stdout:"
            """, code: .connector, line: 1, column: 9, field: "source",
            mentions: ["unknown scheme 'ftp'", "file:", "redis:", "stdin:", "stdout:", "tcp:"]),
        Case(label: "redis without a stream", text: """
            source: redis://127.0.0.1:6379
            sink: "stdout:"
            """, code: .connector, line: 1, column: 9, field: "source", mentions: ["names no stream", "redis://HOST:PORT/STREAM"]),
        Case(label: "misspelled connector option", text: """
            source:
              uri: tcp://127.0.0.1:9000
              options: { mdoe: listen }
            sink: "stdout:"
            """, code: .connector, line: 3, column: 14, field: "source.options.mdoe", mentions: ["did you mean 'mode'?"]),
        Case(label: "connector option of the wrong type", text: """
            source:
              uri: file:in.ndjson
              options: { chunk-size: lots }
            sink: "stdout:"
            """, code: .connector, line: 3, column: 26, field: "source.options.chunk-size", mentions: ["expected an integer"]),
        Case(label: "stdout cannot be a source", text: """
            source: "stdout:"
            sink: "stdout:"
            """, code: .connector, line: 1, column: 9, field: "source", mentions: ["cannot be a source"]),
        Case(label: "tcp without a port", text: """
            source: tcp://localhost
            sink: "stdout:"
            """, code: .connector, line: 1, column: 9, field: "source", mentions: ["HOST:PORT"]),
        Case(label: "missing sink", text: """
            source: file:in.ndjson
            stages: []
            """, code: .missingField, line: 1, column: 1, field: "sink", mentions: ["missing field 'sink'"]),
        Case(label: "predicate with a single =", text: """
            source: file:in.ndjson
            stages:
              - filter: '.level = "error"'
            sink: "stdout:"
            """, code: .invalidExpression, line: 3, column: 21, field: "stages[0].filter", mentions: ["expected '=='"]),
        Case(label: "unterminated string in a predicate", text: """
            source: file:in.ndjson
            stages:
              - filter: .level == "error
            sink: "stdout:"
            """, code: .invalidExpression, line: 3, column: 23, field: "stages[0].filter", mentions: ["unterminated string"]),
        Case(label: "misspelled aggregate function", text: """
            source: file:in.ndjson
            stages:
              - key: .service
              - aggregate: { total: summ(.bytes) }
            sink: "stdout:"
            """, code: .unknownOperator, line: 4, column: 25, field: "stages[1].aggregate.total",
            mentions: ["did you mean 'sum'?"]),
        Case(label: "aggregate without a key names both stages", text: """
            source: file:in.ndjson
            stages:
              - name: errors
                filter: '.level == "error"'
              - name: per-service
                aggregate: { n: count }
            sink: "stdout:"
            """, code: .typeMismatch, line: 5, column: 5, field: "stages.per-service",
            mentions: ["'per-service' (aggregate) needs keyed documents", "'errors' (filter)"]),
        Case(label: "field dropped by a projection names both stages", text: """
            source: file:in.ndjson
            stages:
              - name: slim
                project: [ts, service]
              - name: errors
                filter: '.level == "error"'
            sink: "stdout:"
            """, code: .typeMismatch, line: 5, column: 5, field: "stages.errors",
            mentions: ["'errors' (filter) reads .level", "'slim' (project)", "outputs only ts, service"]),
        Case(label: "YAML syntax error", text: """
            source: file:in.ndjson
            stages: [
            sink: "stdout:"
            """, code: .syntax, line: 4, column: 1, field: "", mentions: ["not valid YAML or JSON"]),
        Case(label: "JSON manifest with a wrong type", text: """
            {"source": "file:in.ndjson",
             "stages": {"filter": ".a"},
             "sink": "stdout:"}
            """, code: .invalidValue, line: 2, column: 12, field: "stages", mentions: ["expected a list of stages"]),
        Case(label: "two operators in one stage", text: """
            source: file:in.ndjson
            stages:
              - filter: .a
                key: .b
            sink: "stdout:"
            """, code: .unknownField, line: 4, column: 5, field: "stages[0].key", mentions: ["a stage has one operator"]),
        Case(label: "exactly-once without checkpoints", text: """
            source: file:in.ndjson
            sink: file:out
            delivery: exactly-once
            """, code: .missingField, line: 3, column: 11, field: "checkpoint", mentions: ["needs checkpoints"]),
        Case(label: "checkpoints with a non-replayable source", text: """
            source: "stdin:"
            sink: file:out
            checkpoint: { folder: ckpt }
            """, code: .invalidValue, line: 3, column: 13, field: "checkpoint", mentions: ["read again"]),
        Case(label: "batch size out of range", text: """
            source: file:in.ndjson
            sink: "stdout:"
            batch-size: 0
            """, code: .invalidValue, line: 3, column: 13, field: "batch-size", mentions: ["an integer in 1...65536"]),
        Case(label: "bad engine", text: """
            source: file:in.ndjson
            sink: "stdout:"
            engine: concurent
            """, code: .invalidValue, line: 3, column: 9, field: "engine", mentions: ["did you mean 'concurrent'?"]),
        Case(label: "window on a stage that is not an aggregate", text: """
            source: file:in.ndjson
            stages:
              - filter: '.level == "error"'
                window: {tumbling: 1m, time: .ts}
            sink: "stdout:"
            """, code: .unknownField, line: 4, column: 5, field: "stages[0].window",
            mentions: ["'window' applies to aggregate stages only, not to filter"]),
        Case(label: "misspelled window field", text: """
            source: file:in.ndjson
            stages:
              - key: .service
              - aggregate: {n: count}
                window: {tumbling: 1m, tiem: .ts}
            sink: "stdout:"
            """, code: .unknownField, line: 5, column: 28, field: "stages[1].window.tiem",
            mentions: ["unknown window field 'tiem'", "did you mean 'time'?"]),
        Case(label: "window duration without a known unit", text: """
            source: file:in.ndjson
            stages:
              - key: .service
              - aggregate: {n: count}
                window: {tumbling: 1 minute, time: .ts}
            sink: "stdout:"
            """, code: .invalidValue, line: 5, column: 24, field: "stages[1].window.tumbling",
            mentions: ["'1 minute' is not a duration", "500ms, 10s, 5m, 1h"]),
        Case(label: "sliding window whose slide is longer than its size", text: """
            source: file:in.ndjson
            stages:
              - key: .service
              - aggregate: {n: count}
                window:
                  sliding: {size: 10s, slide: 1m}
                  time: .ts
            sink: "stdout:"
            """, code: .invalidValue, line: 6, column: 35, field: "stages[1].window.sliding.slide",
            mentions: ["the slide (60000 ms) is longer than the window (10000 ms)"]),
        Case(label: "window time field the stage before does not output", text: """
            source: file:in.ndjson
            stages:
              - name: shape
                project: [service, bytes]
              - key: .service
              - name: per-minute
                aggregate: {bytes: sum(.bytes)}
                window: {tumbling: 1m, time: .ts}
            sink: "stdout:"
            """, code: .typeMismatch, line: 6, column: 5, field: "stages.per-minute",
            mentions: ["stage 'per-minute' (aggregate) reads .ts, but stage 'shape' (project) before it outputs only service, bytes"]),
        Case(label: "sink on the source's file", text: """
            source: file:in.ndjson
            stages:
              - filter: .a
            sink: file:./in.ndjson
            """, code: .invalidValue, line: 4, column: 7, field: "sink",
            mentions: ["the sink 'file:./in.ndjson' is the source's file", "would empty the input"]),
        Case(label: "dead-letter sink on the sink's file", text: """
            source: file:in.ndjson
            stages:
              - dead-letter: file:out.ndjson
            sink: file:out.ndjson
            """, code: .invalidValue, line: 3, column: 18, field: "stages[0].dead-letter",
            mentions: ["the dead-letter sink 'file:out.ndjson' is the sink's file"]),
        Case(label: "project writing a field twice", text: """
            source: file:in.ndjson
            stages:
              - project: [a, {a: .b}]
            sink: "stdout:"
            """, code: .invalidValue, line: 3, column: 19, field: "stages[0].project[1].a",
            mentions: ["project writes the field 'a' twice"]),
        Case(label: "rename giving two fields one name", text: """
            source: file:in.ndjson
            stages:
              - rename: {a: c, b: c}
            sink: "stdout:"
            """, code: .invalidValue, line: 3, column: 23, field: "stages[0].rename.b",
            mentions: ["rename gives two fields the name 'c'"]),
        Case(label: "two dead-letter stages", text: """
            source: file:in.ndjson
            stages:
              - dead-letter: file:bad1.ndjson
              - dead-letter: file:bad2.ndjson
            sink: "stdout:"
            """, code: .invalidValue, line: 4, column: 18, field: "stages[1]",
            mentions: ["a second dead-letter stage"]),
    ]

    @Test(arguments: cases)
    func malformedManifestsGiveLocatedErrors(_ item: Case) throws {
        let error = #expect(throws: ManifestError.self) {
            try ManifestCompiler.compile(try ManifestReader().read(text: item.text, file: "pipeline.yaml"))
        }
        guard let error else { return }
        #expect(error.code == item.code, "\(error)")
        #expect(error.file == "pipeline.yaml")
        #expect(error.line == item.line, "\(error)")
        #expect(error.column == item.column, "\(error)")
        #expect(error.field == item.field, "\(error)")
        #expect(error.expected != nil, "\(error)")
        let text = error.description
        #expect(text.hasPrefix("pipeline.yaml:\(item.line):\(item.column): error: "), "\(text)")
        for mention in item.mentions { #expect(text.contains(mention), "\(text) lacks \(mention)") }
    }

    /// Without `channel-capacity`, the default holds at least one batch: a concurrent run with `batch-size` above
    /// 4 096 used to stop on the engine's precondition (SIGILL) instead of running.
    @Test(arguments: [(256, 4_096), (4_096, 4_096), (8_192, 8_192), (65_536, 65_536)])
    func theDefaultChannelCapacityHoldsABatch(batchSize: Int, capacity: Int) throws {
        let manifest = try ManifestReader().read(
            text: "source: file:in.ndjson\nsink: \"stdout:\"\nengine: concurrent\nbatch-size: \(batchSize)\n",
            file: "m.yaml")
        #expect(manifest.batchSize == batchSize && manifest.channelCapacity == capacity)
    }

    /// Devices are not files a sink could empty or two sinks overwrite: `/dev/null` may be the sink and the
    /// dead-letter sink at once.
    @Test func devicesMayBeSharedByEndpoints() throws {
        let text = """
            source: file:in.ndjson
            stages:
              - dead-letter: file:/dev/null
            sink: file:/dev/null
            """
        #expect(try ManifestReader().read(text: text, file: "m.yaml").deadLetter?.uri == "file:/dev/null")
    }

    @Test func aValidManifestCompiles() throws {
        let plan = try ManifestCompiler.compile(try ManifestReader().read(text: Self.valid, file: "pipeline.yaml"))
        #expect(plan.segments.map(\.name) == ["decode", "filter-0"])
        #expect(plan.channels.isEmpty)
    }

    @Test func aUserRegisteredConnectorIsAccepted() throws {
        var registry = ConnectorRegistry.standard
        registry.register(Connector(scheme: "memory", summary: "test", forms: ["memory:NAME"],
            options: [ConnectorOption("size", .integer(1...10), "how many")],
            openSource: { _ in ConnectorSource(BufferByteSourceStandIn()) }))
        let text = """
            source: { uri: "memory:x", options: { size: 3 } }
            sink: "stdout:"
            """
        let manifest = try ManifestReader(connectors: registry).read(text: text, file: "m.yaml")
        #expect(manifest.source.uri == "memory:x")
        let error = #expect(throws: ManifestError.self) {
            try ManifestReader(connectors: registry).read(text: text.replacingOccurrences(of: "size: 3", with: "size: 11"), file: "m.yaml")
        }
        #expect(error?.description.contains("expected an integer in 1...10") == true)
    }
}
