import Foundation

/// A `Decoder` over a `JSONTree` that is strict and names the field path of every problem.
///
/// It decodes any `Decodable` model (so fields other helpers add to the shared model are picked up without
/// changes here), records which keys each object's decoding asked for, and afterwards reports keys nobody
/// asked for as unknown fields. Errors are `HarnessError`s naming the file and the path, e.g.
/// `suites/pr.json: benchmarks[3].settings.minRounds: expected an integer, found "five"`.
struct StrictTreeDecoder {
    /// The file named in errors.
    var file: String
    /// The error code thrown.
    var errorCode: HarnessError.Code
    /// Whether keys the model does not read are errors (suite files) or ignored (results from newer builds).
    var rejectsUnknownFields: Bool

    /// Decodes `T` from `tree`. Complexity: O(size of the tree).
    func decode<T: Decodable>(_ type: T.Type, from tree: JSONTree) throws -> T {
        let tracker = KeyTracker()
        let decoder = TreeDecoder(tree: tree, path: [], tracker: tracker, context: self)
        let value: T
        do {
            value = try T(from: decoder)
        } catch let error as HarnessError {
            throw error
        } catch let error as DecodingError {
            throw translate(error)
        }
        if rejectsUnknownFields { try checkUnknownFields(tree, path: [], tracker: tracker) }
        return value
    }

    func error(_ message: String, at path: [any CodingKey]) -> HarnessError {
        HarnessError(
            code: errorCode, message: message, file: file, field: path.isEmpty ? nil : Self.render(path))
    }

    /// Renders a coding path as `benchmarks[3].settings.minRounds`.
    static func render(_ path: [any CodingKey]) -> String {
        var result = ""
        for key in path {
            if let index = key.intValue {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return result
    }

    private func translate(_ error: DecodingError) -> HarnessError {
        switch error {
        case .keyNotFound(let key, let context):
            return self.error("missing required field", at: context.codingPath + [key])
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return self.error(context.debugDescription, at: context.codingPath)
        @unknown default:
            return HarnessError(code: errorCode, message: "\(error)", file: file)
        }
    }

    private func checkUnknownFields(_ tree: JSONTree, path: [any CodingKey], tracker: KeyTracker) throws {
        switch tree {
        case .object(let members):
            let used = tracker.usedKeys[Self.render(path)] ?? []
            for key in members.keys.sorted() {
                let childPath = path + [TreeCodingKey(stringValue: key)]
                guard used.contains(key) else {
                    let known = tracker.askedKeys[Self.render(path)].map { $0.sorted() } ?? []
                    let hint = known.isEmpty ? "" : " (known fields: \(known.joined(separator: ", ")))"
                    throw self.error("unknown field\(hint)", at: childPath)
                }
                try checkUnknownFields(members[key] ?? .null, path: childPath, tracker: tracker)
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                try checkUnknownFields(element, path: path + [TreeCodingKey(intValue: index)], tracker: tracker)
            }
        default:
            break
        }
    }
}

/// Enumerations decoded from strings whose error should list the accepted values.
protocol StrictStringEnumeration {
    static var acceptedRawValues: [String] { get }
}

extension BenchmarkMetric: StrictStringEnumeration {
    static var acceptedRawValues: [String] { allCases.map(\.rawValue) }
}

extension SuiteFile.Tier: StrictStringEnumeration {
    static var acceptedRawValues: [String] { allCases.map(\.rawValue) }
}

/// Which keys the model asked for (present or not) and which present keys it read, per object path.
final class KeyTracker {
    var usedKeys: [String: Set<String>] = [:]
    var askedKeys: [String: Set<String>] = [:]
}

struct TreeCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }
}
