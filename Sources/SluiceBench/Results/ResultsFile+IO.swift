import Foundation

extension ResultsFile {
    /// Reads a results file with the harness's one strict reader (`JSONFileReader`): valid JSON, the supported
    /// `schemaVersion`, every field known and of the right type. A missing, damaged or truncated file is a
    /// `HarnessError` (code `invalidResults`, exit 6) naming the file and the field or the parser's position.
    public static func load(from url: URL) throws(HarnessError) -> ResultsFile {
        try JSONFileReader.read(
            ResultsFile.self, from: url, kind: "results file", schemaVersion: currentSchemaVersion,
            code: .invalidResults, file: SuiteLoader.displayPath(url))
    }

    /// Decodes results-file bytes strictly; `file` is the name used in errors. Complexity: O(size).
    public static func decode(_ data: Data, file: String) throws(HarnessError) -> ResultsFile {
        try JSONFileReader.decode(
            ResultsFile.self, from: data, path: file, kind: "results file", schemaVersion: currentSchemaVersion,
            code: .invalidResults)
    }

    /// The file's JSON: pretty-printed with sorted keys, so diffs of results files are readable.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Writes the file atomically (`AtomicFileWriter`: a temporary file in the same folder, then a rename), so
    /// readers never see a torn file. Creates the folder when missing.
    public func write(to url: URL) throws {
        let data = try encoded()
        do {
            try AtomicFileWriter.write(data, to: url)
        } catch {
            throw HarnessError(code: .io, message: error.message, file: error.file ?? url.path)
        }
    }
}
