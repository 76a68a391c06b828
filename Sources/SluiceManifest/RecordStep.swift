import Sluice
import SluiceConnectors
import SluiceJSON

/// One pure operator compiled for the fused loop: filter, project, rename or key.
enum RecordStep: Sendable {
    case filter(Predicate)
    case project([(name: String, path: FieldPath)])
    case rename([(from: String, to: String)])
    case key(FieldPath)

    /// Applies the step; false drops the record.
    @inline(__always)
    func apply(_ record: inout ManifestRecord) -> Bool {
        switch self {
        case .filter(let predicate):
            return predicate.evaluate(record.value)
        case .project(let fields):
            var members: [JSONMember] = []
            members.reserveCapacity(fields.count)
            for field in fields {
                members.append(JSONMember(key: field.name, value: field.path.lookup(in: record.value) ?? .null))
            }
            record.value = .object(members)
            return true
        case .rename(let pairs):
            guard case .object(var members) = record.value else { return true }
            for index in members.indices {
                for pair in pairs where members[index].key == pair.from {
                    members[index].key = pair.to
                    break
                }
            }
            record.value = .object(members)
            return true
        case .key(let path):
            record.key = path.lookup(in: record.value) ?? .null
            return true
        }
    }
}

/// A run of adjacent pure operators fused into one stage: each record goes through every step in one loop,
/// with no batch or channel between them.
///
/// `dropped` counts the records a filter dropped, when the source needs to know that a document is finished
/// without output (a Redis stream source acknowledges them); nil (the default) counts nothing.
struct FusedStepsOperator: StageOperator {
    let steps: [RecordStep]
    var dropped: ByteCounter? = nil

    var isPure: Bool { true }

    mutating func process(_ input: ManifestRecord, emit: (ManifestRecord) -> Void) throws {
        var record = input
        for step in steps where !step.apply(&record) {
            dropped?.add(1)
            return
        }
        emit(record)
    }
}
