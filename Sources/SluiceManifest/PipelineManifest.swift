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
        /// The line, from 1.
        public var line: Int
        /// The column, from 1.
        public var column: Int
    }

    /// A connector URI with its options.
    public struct Endpoint: Sendable {
        /// The URI as written, e.g. `redis://host:6379/orders?partitions=8` or `stdout:`.
        public var uri: String
        /// The options of the endpoint's `options:` mapping (options in the URI's query stay in `uri`); both are
        /// checked against the connector's schema when the manifest is read.
        public var options: [String: String]
        /// Where the endpoint was written.
        public var location: Location
    }

    /// How the source's bytes are cut into documents.
    public enum Framing: Hashable, Sendable, CustomStringConvertible {
        case ndjson
        case concat
        case lengthPrefixed(decimal: Bool)

        /// `ndjson`, `concat`, or `length-prefixed (decimal)` / `length-prefixed (u32be)`.
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
    /// Where the documents come from.
    public var source: Endpoint
    /// How the source's bytes are cut into documents.
    public var framing: Framing
    /// The stages, in order.
    public var stages: [StageSpec]
    /// Where the outputs go.
    public var sink: Endpoint
    /// Where failed documents go, if anywhere (a `dead-letter` stage).
    public var deadLetter: Endpoint?
    /// Which engine runs it (`sync` by default).
    public var engine: Engine
    /// Elements per batch (and per channel hand-off).
    public var batchSize: Int
    /// Elements per channel (concurrent engine).
    public var channelCapacity: Int
    /// The delivery guarantee asked for with checkpoints (`at-least-once` by default).
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
    /// What the stage does, parsed.
    public var operation: StageOperation
    /// Where the stage was written.
    public var location: PipelineManifest.Location
    /// The event-time window of an `aggregate` stage (its `window:` field); nil: one row per key for the whole
    /// input.
    public var window: WindowSpec? = nil

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

    /// The output field's name.
    public var name: String
    /// The function that fills it.
    public var function: Function
    /// The field aggregated (nil for `count`).
    public var path: FieldPath?
}

/// The event-time window of an aggregate (`window:` beside `aggregate:`): rows per key and window, emitted when
/// the watermark passes the window's end.
public struct WindowSpec: Sendable, Hashable {
    /// How documents fall into windows.
    public enum Kind: Sendable, Hashable {
        /// Fixed, non-overlapping windows of `size` ms.
        case tumbling(size: Int64)
        /// Windows of `size` ms starting every `slide` ms.
        case sliding(size: Int64, slide: Int64)
        /// Windows that close after `gap` ms without a document of the key.
        case session(gap: Int64)
    }

    /// The window's shape and sizes (ms): tumbling, sliding or session.
    public var kind: Kind
    /// The event-time field: epoch milliseconds, a number.
    public var time: FieldPath
    /// How far out of order documents may arrive (ms): the watermark trails the largest time seen by this much.
    public var outOfOrder: Int64
    /// How long after a window's end (ms of event time) late documents still update it and re-fire it; later ones
    /// go to the dead-letter sink.
    public var lateness: Int64

    /// `tumbling 60000 ms on .ts`: how `--dry-run` shows it.
    public var summary: String {
        let shape: String
        switch kind {
        case .tumbling(let size): shape = "tumbling \(size) ms"
        case .sliding(let size, let slide): shape = "sliding \(size) ms every \(slide) ms"
        case .session(let gap): shape = "session, gap \(gap) ms"
        }
        return "\(shape) on \(time), out of order up to \(outOfOrder) ms, lateness \(lateness) ms"
    }
}
