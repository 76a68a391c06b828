import ArgumentParser
import SluiceJSON

/// `--chunk-size`, shared by every subcommand that streams its input.
struct ChunkOptions: ParsableArguments {
    @Option(name: .customLong("chunk-size"), help: "Bytes read and fed per chunk (at least 1).")
    var chunkSize = 65_536

    func validate() throws {
        guard chunkSize >= 1 else {
            throw ValidationError("--chunk-size must be at least 1 byte (got \(chunkSize)); the default is 65536")
        }
    }
}

/// How results and failures are written, shared by the subcommands.
enum Report {
    /// `FILE: offset N (line L, column C): message`: the verdict line for an invalid input.
    static func invalid(_ name: String, _ error: JSONParseError) -> String { "\(name): \(error)" }

    /// `{"error":{...}}`: a failure as one JSON line, for the commands whose results are JSON lines.
    static func errorLine(_ error: JSONParseError) -> [UInt8] {
        var members = [
            JSONMember(key: "code", value: .string(error.code.description)),
            JSONMember(key: "message", value: .string(error.message)),
            JSONMember(key: "offset", value: .number(.int(Int64(error.offset)))),
            JSONMember(key: "line", value: .number(.int(Int64(error.line)))),
            JSONMember(key: "column", value: .number(.int(Int64(error.column)))),
        ]
        if let path = error.path { members.append(JSONMember(key: "path", value: .string(path))) }
        return jsonLine(.object([JSONMember(key: "error", value: .object(members))]))
    }

    /// `value` as compact JSON. Values built here hold no non-finite numbers, so writing cannot fail.
    static func jsonLine(_ value: JSONValue) -> [UInt8] {
        (try? JSONSerializer().serialize(value)) ?? Array("{}".utf8)
    }

    /// Streams `name` through `body` chunk by chunk, mapping failures to `sluice`'s exit statuses:
    /// a parse error is reported with `onInvalid` and exits 1; an unreadable input is reported on stderr
    /// and exits 3.
    static func streaming(
        _ name: String, chunkSize: Int, onInvalid: (JSONParseError) -> Void,
        _ body: (UnsafeRawBufferPointer) throws -> Void, finish: () throws -> Void
    ) throws {
        do {
            let input = try ChunkedInput(path: name)
            try input.forEachChunk(size: chunkSize, body)
            try finish()
        } catch let error as JSONParseError {
            onInvalid(error)
            throw ExitStatus.invalidInput.exitCode
        } catch let error as InputError {
            StandardError.write("sluice: \(error)")
            throw ExitStatus.unreadableInput.exitCode
        }
    }
}
