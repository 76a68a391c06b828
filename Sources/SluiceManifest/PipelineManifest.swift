/// A declarative pipeline, as read from a YAML or JSON manifest and validated: a source, stages from the
/// built-in operators, a sink, the engine and the delivery guarantee.
///
/// ```yaml
/// name: error-log
/// source: { uri: "file:app.ndjson", framing: ndjson }
/// stages:
///   - name: errors
///     filter: '.level == "error"'
///   - project: [ts, service]
/// sink: "stdout:"
/// engine: sync
/// ```
public struct PipelineManifest: Sendable {
    /// Where something in the manifest was written (1-based).
    public struct Location: Hashable, Sendable {
        public var line: Int
        public var column: Int
    }

    /// A connector URI with its options.
    public struct Endpoint: Sendable {
        public var uri: String
        public var options: [String: String]
        public var location: Location
    }

    /// How the source's bytes are cut into documents.
    public enum Framing: Hashable, Sendable, CustomStringConvertible {
        case ndjson
        case concat
        case lengthPrefixed(decimal: Bool)

        public var description: String {
            switch self {
            case .ndjson: "ndjson"
            case .concat: "concat"
            case .lengthPrefixed(let decimal): "length-prefixed (\(decimal ? "decimal" : "u32be"))"
            }
        }
    }

    /// Which engine runs the pipeline.
    public enum Engine: String, Sendable, CaseIterable {
        case sync
        case concurrent
    }

    /// What the output promises across a crash and a rerun.
    public enum Delivery: String, Sendable, CaseIterable {
        case atLeastOnce = "at-least-once"
        case exactlyOnce = "exactly-once"
    }

    /// The manifest's path as given (for messages).
    public var file: String
    /// The pipeline's name (metrics, plan).
    public var name: String
    public var source: Endpoint
    public var framing: Framing
    public var stages: [StageSpec]
    public var sink: Endpoint
    /// Where failed documents go, if anywhere (a `dead-letter` stage).
    public var deadLetter: Endpoint?
    public var engine: Engine
    /// Elements per batch (and per channel hand-off).
    public var batchSize: Int
    /// Elements per channel (concurrent engine).
    public var channelCapacity: Int
    public var delivery: Delivery
    /// The checkpoint folder; nil: no checkpoints.
    public var checkpointFolder: String?
    /// Documents between checkpoints.
    public var checkpointEvery: Int
}

/// One stage of a manifest: its name, its operator, where it was written.
public struct StageSpec: Sendable {
    /// The stage's name (given, or `OPERATOR-INDEX`).
    public var name: String
    public var operation: StageOperation
    public var location: PipelineManifest.Location

    /// `'errors' (filter)`: how messages name the stage.
    public var label: String { "'\(name)' (\(operation.operatorName))" }
}

/// The built-in operators.
public enum StageOperation: Sendable {
    /// Keeps the documents for which the predicate holds.
    case filter(Predicate)
    /// Keeps only the listed fields, each under a name (`{ts, service}`, `{msg: .message}`).
    case project([(name: String, path: FieldPath)])
    /// Renames top-level fields, keeping the others in place.
    case rename([(from: String, to: String)])
    /// Keys each document by a field, for the aggregates after it.
    case key(FieldPath)
    /// Per key: count, sum, min and max, emitted at the end of the input.
    case aggregate([AggregateField])
    /// Drops documents whose field (or whole value) was seen before.
    case dedupe(FieldPath?)
    /// Where failed documents go.
    case deadLetter(PipelineManifest.Endpoint)

    /// The operator's name as written in a manifest.
    public var operatorName: String {
        switch self {
        case .filter: "filter"
        case .project: "project"
        case .rename: "rename"
        case .key: "key"
        case .aggregate: "aggregate"
        case .dedupe: "dedupe"
        case .deadLetter: "dead-letter"
        }
    }

    /// The operator names, for suggestions.
    public static let operatorNames = ["filter", "project", "rename", "key", "aggregate", "dedupe", "dead-letter"]

    /// Whether the operator keeps state across documents (it cannot fuse with its neighbours' loop freely).
    public var isStateful: Bool {
        switch self {
        case .aggregate, .dedupe: true
        default: false
        }
    }
}

/// One output field of an aggregate: `errors: count`, `bytes: sum(.bytes)`.
public struct AggregateField: Sendable, Hashable {
    /// The aggregate functions.
    public enum Function: String, Sendable, CaseIterable {
        case count, sum, min, max
    }

    public var name: String
    public var function: Function
    /// The field aggregated (nil for `count`).
    public var path: FieldPath?
}
