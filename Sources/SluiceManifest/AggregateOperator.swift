import Sluice
import SluiceJSON

/// Per key (set by a `key` stage): count, sum, min and max of fields. State is one row per distinct key; after
/// the last document it emits one document per key, in order of first appearance:
/// `{"<key field>": KEY, "<name>": VALUE, …}`.
///
/// A document whose summed field is not a number goes to the dead-letter sink (the rest of its row is not
/// updated); a missing or null field is skipped, as SQL aggregates skip nulls.
struct AggregateOperator: StageOperator {
    struct Row: Sendable {
        var key: JSONValue
        var values: [JSONNumber?]
        var count: Int64 = 0
    }

    let stageName: String
    let keyName: String
    let fields: [AggregateField]
    private var rowIndex: [JSONValue: Int] = [:]
    private var rows: [Row] = []

    init(stageName: String, keyName: String, fields: [AggregateField]) {
        self.stageName = stageName
        self.keyName = keyName
        self.fields = fields
    }

    var isPure: Bool { false }
    var kind: StageKind { .stateful }

    /// The numbers `fields` read from `input` (nil for `count` and for a missing or null field).
    /// - Throws: `RecordError` naming the field when one holds something other than a number.
    static func updates(of input: ManifestRecord, fields: [AggregateField], stageName: String) throws -> [JSONNumber?] {
        var updates: [JSONNumber?] = []
        updates.reserveCapacity(fields.count)
        for field in fields {
            guard let path = field.path else {
                updates.append(nil)
                continue
            }
            switch path.lookup(in: input.value) {
            case nil, .null?: updates.append(nil)
            case .number(let number)?: updates.append(number)
            case let other?:
                throw RecordError(stage: stageName, offset: input.offset,
                    message: "\(field.function.rawValue)(\(path)) needs a number, found \(PredicateParser.literalText(other))")
            }
        }
        return updates
    }

    /// The output members of one row after its key: each field's name and value (`null` for a min, max or sum
    /// that saw no number).
    static func members(fields: [AggregateField], count: Int64, values: [JSONNumber?]) -> [JSONMember] {
        fields.enumerated().map { position, field in
            let value: JSONValue =
                field.function == .count ? .number(.int(count)) : values[position].map { .number($0) } ?? .null
            return JSONMember(key: field.name, value: value)
        }
    }

    mutating func process(_ input: ManifestRecord, emit: (ManifestRecord) -> Void) throws {
        let key = input.key ?? .null
        let updates = try Self.updates(of: input, fields: fields, stageName: stageName)
        let index: Int
        if let existing = rowIndex[key] {
            index = existing
        } else {
            index = rows.count
            rowIndex[key] = index
            rows.append(Row(key: key, values: Array(repeating: nil, count: fields.count)))
        }
        rows[index].count += 1
        for (position, field) in fields.enumerated() {
            guard let number = updates[position] else { continue }
            rows[index].values[position] = Self.combine(rows[index].values[position], number, field.function)
        }
    }

    mutating func finish(emit: (ManifestRecord) -> Void) throws {
        for row in rows {
            let members = [JSONMember(key: keyName, value: row.key)]
                + Self.members(fields: fields, count: row.count, values: row.values)
            emit(ManifestRecord(value: .object(members), key: row.key, offset: 0, end: 0))
        }
        rows = []
        rowIndex = [:]
    }

    static func combine(_ current: JSONNumber?, _ next: JSONNumber, _ function: AggregateField.Function) -> JSONNumber {
        guard let current else { return next }
        switch function {
        case .sum:
            if case .int(let a) = current, case .int(let b) = next {
                let (sum, overflow) = a.addingReportingOverflow(b)
                if !overflow { return .int(sum) }
            }
            return .double(current.doubleValue + next.doubleValue)
        case .min:
            return JSONOrdering.compare(.number(next), .number(current)) < 0 ? next : current
        case .max:
            return JSONOrdering.compare(.number(next), .number(current)) > 0 ? next : current
        case .count:
            return current
        }
    }
}

/// Drops a document whose field (or whole value, without a field) equals one seen before; keeps the first.
/// State: every distinct value seen, O(distinct values).
struct DedupeOperator: StageOperator {
    let path: FieldPath?
    private var seen: Set<JSONValue> = []

    init(path: FieldPath?) {
        self.path = path
    }

    var isPure: Bool { false }
    var kind: StageKind { .stateful }

    mutating func process(_ input: ManifestRecord, emit: (ManifestRecord) -> Void) throws {
        let identity = path.map { $0.lookup(in: input.value) ?? .null } ?? input.value
        if seen.insert(identity).inserted { emit(input) }
    }
}
