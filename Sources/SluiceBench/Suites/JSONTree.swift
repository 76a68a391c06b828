import Foundation
import SluiceJSON

/// A generic JSON value, decoded before any typed model so that a strict walker can name the exact field
/// that is wrong and what it holds.
///
/// Numbers keep whether they were written as integers; `true`/`false` are never numbers.
enum JSONTree: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONTree])
    case object([String: JSONTree])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONTree].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONTree].self))
        }
    }

    /// Parses `data` with the project's strict RFC 8259 parser (no trailing commas, comments or other
    /// leniencies), or throws a `HarnessError` with `code` naming `file`, the offset, line and column. A key
    /// repeated in one object is an error naming it and its path: readers differ on which value wins.
    static func parse(_ data: Data, file: String, code: HarnessError.Code) throws -> JSONTree {
        if data.isEmpty {
            throw HarnessError(code: code, message: "the file is empty, expected a JSON object", file: file)
        }
        let value: JSONValue
        do {
            value = try data.withUnsafeBytes { bytes throws(JSONParseError) in try JSONDocumentParser.parse(bytes) }
        } catch {
            throw HarnessError(code: code, message: "not valid JSON (\(error))", file: file)
        }
        return try tree(value, path: "", file: file, code: code)
    }

    /// The tree of a parsed value; integers that fit `Int` stay integers.
    private static func tree(_ value: JSONValue, path: String, file: String, code: HarnessError.Code) throws -> JSONTree {
        switch value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .string(let text): return .string(text)
        case .number(let number):
            switch number {
            case .int(let integer): return Int(exactly: integer).map(JSONTree.integer) ?? .number(Double(integer))
            case .double(let double):
                guard double.isFinite else {
                    throw HarnessError(code: code, message: "a number beyond the range of a Double", file: file,
                        field: path.isEmpty ? nil : path)
                }
                return .number(double)
            case .bigInteger(let text):
                guard let double = Double(text), double.isFinite else {
                    throw HarnessError(code: code, message: "a number beyond the range of a Double", file: file,
                        field: path.isEmpty ? nil : path)
                }
                return .number(double)
            }
        case .array(let elements):
            return .array(try elements.enumerated().map { index, element in
                try tree(element, path: "\(path)[\(index)]", file: file, code: code)
            })
        case .object(let members):
            var object: [String: JSONTree] = [:]
            for member in members {
                let memberPath = path.isEmpty ? member.key : "\(path).\(member.key)"
                guard object[member.key] == nil else {
                    throw HarnessError(
                        code: code, message: "the key '\(member.key)' appears twice in one object", file: file,
                        field: memberPath)
                }
                object[member.key] = try tree(member.value, path: memberPath, file: file, code: code)
            }
            return .object(object)
        }
    }

    /// The kind of value, as used in "expected X, found Y" messages.
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// A short rendering of the value for error messages: strings quoted, containers by kind.
    var shortDescription: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .integer(let value): "\(value)"
        case .number(let value): "\(value)"
        case .string(let value): "\"\(value.count > 40 ? String(value.prefix(40)) + "…" : value)\""
        case .array: "an array"
        case .object: "an object"
        }
    }
}
