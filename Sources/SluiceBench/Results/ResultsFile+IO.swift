import Foundation

extension ResultsFile {
    /// Reads a results file strictly: valid JSON, the supported `schemaVersion`, every field of the right type.
    /// A damaged or truncated file is a `HarnessError` (code `invalidResults`) naming the file and the field
    /// or the parser's position. Unknown fields are ignored, so optional fields added later stay readable.
    public static func load(from url: URL) throws -> ResultsFile {
        let display = SuiteLoader.displayPath(url)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw HarnessError(code: .invalidResults, message: "cannot read the file: \(error)", file: display)
        }
        return try decode(data, file: display)
    }

    /// Decodes results-file bytes; `file` is the name used in errors. Complexity: O(size).
    public static func decode(_ data: Data, file: String) throws -> ResultsFile {
        let tree = try JSONTree.parse(data, file: file, code: .invalidResults)
        try SuiteLoader.checkSchemaVersion(tree, file: file, code: .invalidResults, current: currentSchemaVersion)
        let decoder = StrictTreeDecoder(file: file, errorCode: .invalidResults, rejectsUnknownFields: false)
        return try decoder.decode(ResultsFile.self, from: tree)
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
