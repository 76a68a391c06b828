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

    /// Writes the file atomically: a temporary file in the same folder, then a rename, so readers never see
    /// a torn file. Creates the folder when missing.
    public func write(to url: URL) throws {
        try AtomicFile.write(try encoded(), to: url)
    }
}

/// Atomic file writes: temporary file in the destination's folder, flushed, then renamed over the destination.
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating the folder when missing.
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw HarnessError(code: .io, message: "cannot create a temporary file", file: temporary.path)
            }
            let handle = try FileHandle(forWritingTo: temporary)
            do {
                try handle.write(contentsOf: data)
                try handle.synchronize()
                try handle.close()
            } catch {
                try? handle.close()
                try? FileManager.default.removeItem(at: temporary)
                throw error
            }
            if rename(temporary.path, url.path) != 0 {
                let code = errno
                try? FileManager.default.removeItem(at: temporary)
                throw HarnessError(code: .io, message: "cannot rename into place: errno \(code)", file: url.path)
            }
        } catch let error as HarnessError {
            throw error
        } catch {
            throw HarnessError(code: .io, message: "cannot write the file: \(error)", file: url.path)
        }
    }
}
