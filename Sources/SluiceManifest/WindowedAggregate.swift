import Sluice
import SluiceEventTime
import SluiceJSON

/// An aggregate with a `window:`: the manifest's count, sum, min and max per key and event-time window, run on
/// the event-time engine (`SluiceEventTime`): a watermark stage, a `WindowOperator` and a stage that turns each
/// firing into a document `{"<key field>": KEY, "window_start": MS, "window_end": MS, "<name>": VALUE, …}`.
///
/// A window's row is emitted when the watermark (the largest event time seen, less `out-of-order`) passes its
/// end, and at the end of the input for the windows still open. A document within `lateness` after its window
/// fired updates the row and emits it again; a later one goes to the dead-letter sink (`late-element`). A document
/// whose time field is missing or not a number, or whose aggregated field is not a number, goes to the
/// dead-letter sink too.
enum WindowedAggregate {
    /// The fields a window adds to each row, after the key.
    static let boundNames = ["window_start", "window_end"]

    /// The graph stages a windowed aggregate named `name` becomes, in order: watermarks, windows, rows.
    static func stageNames(_ name: String) -> [String] { ["\(name)/watermarks", name, "\(name)/rows"] }

    /// Adds the three stages after `previous` and returns the name of the last one.
    static func add(
        to graph: inout PipelineGraph, after previous: String, name: String, keyName: String, fields: [AggregateField],
        window: WindowSpec
    ) -> String {
        let assigner: WindowAssigner
        switch window.kind {
        case .tumbling(let size): assigner = .tumbling(size: size)
        case .sliding(let size, let slide): assigner = .sliding(size: size, slide: slide)
        case .session(let gap): assigner = .session(gap: gap)
        }
        let time = window.time
        let names = stageNames(name)
        let (watermarks, rows) = (names[0], names[2])
        graph.addStage(watermarks, Watermarks(
            stageName: name, time: time, fields: fields,
            inner: WatermarkOperator(
                name: watermarks, timestamp: { record in milliseconds(record, time) ?? .min },
                maxOutOfOrderness: window.outOfOrder)))
        graph.addStage(name, WindowOperator(
            name: name, assigner: assigner, trigger: Trigger.eventTime(), accumulator: Accumulator(fields: fields),
            key: { record in record.key ?? .null },
            configuration: WindowConfiguration(allowedLateness: window.lateness, latePolicy: .deadLetter)))
        graph.addStage(rows, Rows(keyName: keyName, fields: fields))
        graph.connect(previous, to: watermarks)
        graph.connect(watermarks, to: name)
        graph.connect(name, to: rows)
        return rows
    }

    /// The largest event time a window takes, either side of the epoch: 2^53 ms (about 285 000 years), so that
    /// window starts, ends and watermarks computed from it cannot overflow.
    static let timeLimit: Int64 = 1 << 53

    /// The record's event time: the time field as whole milliseconds, or nil when it is missing or not a number
    /// (or a fraction, or beyond `timeLimit`).
    static func milliseconds(_ record: ManifestRecord, _ time: FieldPath) -> Int64? {
        guard case .number(let number)? = time.lookup(in: record.value), let value = number.int64Value,
            (-timeLimit...timeLimit).contains(value)
        else { return nil }
        return value
    }

    /// The manifest's aggregate functions as a window accumulator: a count and one number per field.
    struct Accumulator: WindowAccumulator {
        struct Partial: Sendable {
            var count: Int64 = 0
            var values: [JSONNumber?]
        }

        let fields: [AggregateField]

        func create() -> Partial { Partial(values: Array(repeating: nil, count: fields.count)) }

        func add(_ input: ManifestRecord, to partial: inout Partial) {
            partial.count += 1
            for (position, field) in fields.enumerated() {
                // The watermark stage dead-lettered documents whose fields are not numbers.
                guard let path = field.path, case .number(let number)? = path.lookup(in: input.value) else { continue }
                partial.values[position] = AggregateOperator.combine(partial.values[position], number, field.function)
            }
        }

        func combine(_ other: Partial, into partial: inout Partial) {
            partial.count += other.count
            for (position, field) in fields.enumerated() {
                guard let number = other.values[position] else { continue }
                partial.values[position] = AggregateOperator.combine(partial.values[position], number, field.function)
            }
        }

        func result(_ partial: Partial) -> Partial { partial }
    }

    /// The watermark stage, after a check of each document: a missing or non-numeric time, or a non-numeric
    /// aggregated field, is a `RecordError` (to the dead-letter sink) instead of a document the window cannot place.
    struct Watermarks: StageOperator {
        let stageName: String
        let time: FieldPath
        let fields: [AggregateField]
        var inner: WatermarkOperator<ManifestRecord>

        var isPure: Bool { false }
        var kind: StageKind { .stateful }

        mutating func process(_ input: ManifestRecord, emit: (EventTimeElement<ManifestRecord>) -> Void) throws {
            guard WindowedAggregate.milliseconds(input, time) != nil else {
                let found = time.lookup(in: input.value).map(PredicateParser.literalText) ?? "nothing"
                throw RecordError(stage: stageName, offset: input.offset,
                    message: "the window's time field \(time) needs whole epoch milliseconds within ±2^53, found \(found)")
            }
            _ = try AggregateOperator.updates(of: input, fields: fields, stageName: stageName)
            try inner.process(input, emit: emit)
        }

        mutating func finish(emit: (EventTimeElement<ManifestRecord>) -> Void) throws {
            try inner.finish(emit: emit)
        }
    }

    /// Each window firing as one output document.
    struct Rows: StageOperator {
        let keyName: String
        let fields: [AggregateField]

        var isPure: Bool { true }

        func process(_ input: WindowResult<JSONValue, Accumulator.Partial>, emit: (ManifestRecord) -> Void) throws {
            let members = [
                JSONMember(key: keyName, value: input.key),
                JSONMember(key: boundNames[0], value: .number(.int(input.window.start))),
                JSONMember(key: boundNames[1], value: .number(.int(input.window.end))),
            ] + AggregateOperator.members(fields: fields, count: input.value.count, values: input.value.values)
            emit(ManifestRecord(value: .object(members), key: input.key, offset: 0, end: 0))
        }
    }
}
