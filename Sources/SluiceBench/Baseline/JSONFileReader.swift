import Foundation

/// Reads the harness's versioned JSON files (results, baselines, suites, reports) with errors that name the
/// file and the problem: missing, unreadable, not JSON (truncated or damaged), wrong schema version, or a field
/// with the wrong type or value.
public enum JSONFileReader {
    private struct SchemaProbe: Decodable {
        var schemaVersion: Int?
    }

    /// Decodes a `T` from the file at `url`, after checking its `schemaVersion` equals `schemaVersion`.
    ///
    /// `kind` names the file in messages ("baseline", "results file"). A missing file is `.badInput` unless
    /// `missingCode` says otherwise (a missing baseline has its own code).
    /// - Complexity: O(n) in the file's size.
    public static func read<T: Decodable>(
        _ type: T.Type, from url: URL, kind: String, schemaVersion: Int,
        missingCode: HarnessError.Code = .badInput
    ) throws(HarnessError) -> T {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw HarnessError(missingCode, "the \(kind) does not exist", file: url.path)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw HarnessError(.ioFailure, "cannot read the \(kind): \(error.localizedDescription)", file: url.path)
        }
        return try decode(type, from: data, path: url.path, kind: kind, schemaVersion: schemaVersion)
    }

    /// Decodes a `T` from `data` (the content of `path`), checking its `schemaVersion` first.
    public static func decode<T: Decodable>(
        _ type: T.Type, from data: Data, path: String, kind: String, schemaVersion: Int
    ) throws(HarnessError) -> T {
        let decoder = JSONDecoder()
        let probe: SchemaProbe
        do {
            probe = try decoder.decode(SchemaProbe.self, from: data)
        } catch {
            let detail = data.isEmpty ? "the file is empty" : "it is not valid JSON (truncated or damaged?)"
            throw HarnessError(.badInput, "cannot read the \(kind): \(detail)", file: path)
        }
        guard let version = probe.schemaVersion else {
            throw HarnessError(.badInput, "the \(kind) has no schemaVersion; is it the right kind of file?", file: path,
                            field: "schemaVersion")
        }
        guard version == schemaVersion else {
            throw HarnessError(
                .badInput, "schema version \(version) is not supported; this build reads version \(schemaVersion)",
                file: path, field: "schemaVersion")
        }
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            let (field, problem) = describe(error)
            throw HarnessError(.badInput, "the \(kind) is damaged: \(problem)", file: path, field: field)
        } catch {
            throw HarnessError(.badInput, "the \(kind) is damaged: \(error)", file: path)
        }
    }

    /// The JSON path and a plain description of a decoding error.
    static func describe(_ error: DecodingError) -> (field: String?, problem: String) {
        func path(_ codingPath: [any CodingKey]) -> String? {
            guard !codingPath.isEmpty else { return nil }
            return codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
                .joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .typeMismatch(let type, let context):
            return (path(context.codingPath), "expected \(type): \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            return (path(context.codingPath), "missing value of type \(type)")
        case .keyNotFound(let key, let context):
            return (path(context.codingPath + [key]), "required field '\(key.stringValue)' is missing")
        case .dataCorrupted(let context):
            return (path(context.codingPath), context.debugDescription)
        @unknown default:
            return (nil, "\(error)")
        }
    }
}
