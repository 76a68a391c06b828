import Foundation

/// The harness's one reader of its JSON files: suites, results, baselines, gate reports and history lines.
///
/// Every file is read the same strict way: valid JSON (an empty, truncated or damaged file says so), the supported
/// top-level `schemaVersion` checked before anything else, then the model decoded by `StrictTreeDecoder`, which
/// rejects fields the model does not read and values of the wrong type. Each error is a `HarnessError` that names
/// the file and the field path, e.g. `baselines/k/pr.json: benchmarks[0].metrics[2].p50: expected a number, found
/// "fast"`. A file written by a newer harness with new fields must carry a new `schemaVersion`; it is then refused
/// as unsupported rather than read with fields silently dropped.
public enum JSONFileReader {
    /// Decodes a `T` from the file at `url`, after checking its `schemaVersion` equals `schemaVersion`.
    ///
    /// `kind` names the file in messages ("baseline", "results file"); `code` is the error code of bad content
    /// (`.badInput`, `.invalidSuite`, `.invalidResults`: all exit 6). A missing file is `missingCode` (default
    /// `code`; a missing baseline has its own code). `file` is how errors name the file (default: `url.path`).
    /// - Complexity: O(n) in the file's size.
    public static func read<T: Decodable>(
        _ type: T.Type, from url: URL, kind: String, schemaVersion: Int, code: HarnessError.Code = .badInput,
        missingCode: HarnessError.Code? = nil, file: String? = nil
    ) throws(HarnessError) -> T {
        let name = file ?? url.path
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw HarnessError(code: missingCode ?? code, message: "the \(kind) does not exist", file: name)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw HarnessError(code: .io, message: "cannot read the \(kind)", file: name, cause: error)
        }
        return try decode(type, from: data, path: name, kind: kind, schemaVersion: schemaVersion, code: code)
    }

    /// Decodes a `T` from `data` (the content of the file `path`), checking its `schemaVersion` first.
    /// - Complexity: O(n) in the data's size.
    public static func decode<T: Decodable>(
        _ type: T.Type, from data: Data, path: String, kind: String, schemaVersion: Int,
        code: HarnessError.Code = .badInput
    ) throws(HarnessError) -> T {
        let tree = try parse(data, file: path, code: code)
        try checkSchemaVersion(tree, file: path, code: code, current: schemaVersion)
        return try decode(type, from: tree, file: path, code: code, rejectsUnknownFields: true)
    }

    /// Parses `data` into a tree; a syntax error names `file` and where the parser stopped.
    static func parse(_ data: Data, file: String, code: HarnessError.Code) throws(HarnessError) -> JSONTree {
        do {
            return try JSONTree.parse(data, file: file, code: code)
        } catch let error as HarnessError {
            throw error
        } catch {
            throw HarnessError(code: code, message: "not valid JSON", file: file, cause: error)
        }
    }

    /// Decodes `T` from a parsed tree through `StrictTreeDecoder`.
    ///
    /// `rejectsUnknownFields` is false only for worker-protocol lines (`ResultsDecoding`), which a worker built
    /// from another revision may extend; every file is read with it true.
    static func decode<T: Decodable>(
        _ type: T.Type, from tree: JSONTree, file: String, code: HarnessError.Code, rejectsUnknownFields: Bool
    ) throws(HarnessError) -> T {
        let decoder = StrictTreeDecoder(file: file, errorCode: code, rejectsUnknownFields: rejectsUnknownFields)
        do {
            return try decoder.decode(type, from: tree)
        } catch let error as HarnessError {
            throw error
        } catch {
            throw HarnessError(code: code, message: "cannot decode the file", file: file, cause: error)
        }
    }

    /// Checks the top-level `schemaVersion` before anything else, so a newer file says so plainly.
    static func checkSchemaVersion(_ tree: JSONTree, file: String, code: HarnessError.Code, current: Int)
        throws(HarnessError)
    {
        guard case .object(let members) = tree else {
            throw HarnessError(
                code: code, message: "expected a JSON object at the top level, found \(tree.kindDescription)",
                file: file)
        }
        guard let version = members["schemaVersion"] else {
            throw HarnessError(
                code: code, message: "missing required field", file: file,
                field: "schemaVersion")
        }
        // `1.0` is the integer 1, as every integer field reads it.
        let integer: Int? = switch version {
        case .integer(let value): value
        case .number(let value): Int(exactly: value)
        default: nil
        }
        guard let value = integer else {
            throw HarnessError(
                code: code, message: "expected an integer, found \(version.shortDescription)", file: file,
                field: "schemaVersion")
        }
        guard value == current else {
            throw HarnessError(
                code: code, message: "unsupported schema version \(value); this build reads version \(current)",
                file: file, field: "schemaVersion")
        }
    }
}
