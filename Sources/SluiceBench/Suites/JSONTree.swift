import Foundation

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

    /// Parses `data`, or throws a `HarnessError` with `code` naming `file` and what the parser reported.
    static func parse(_ data: Data, file: String, code: HarnessError.Code) throws -> JSONTree {
        if data.isEmpty {
            throw HarnessError(code: code, message: "the file is empty, expected a JSON object", file: file)
        }
        do {
            return try JSONDecoder().decode(JSONTree.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw HarnessError(code: code, message: "not valid JSON (\(syntaxDetail(data) ?? context.debugDescription))", file: file)
        } catch {
            throw HarnessError(code: code, message: "not valid JSON (\(error))", file: file)
        }
    }

    /// Where the JSON syntax breaks, as Foundation's parser reports it (line, column or offset), if it says.
    private static func syntaxDetail(_ data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch let error as NSError {
            if let debug = error.userInfo[NSDebugDescriptionErrorKey] as? String { return debug }
            if let underlying = error.userInfo[NSUnderlyingErrorKey] { return "\(underlying)" }
            return "\(error)"
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
