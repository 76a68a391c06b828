import ArgumentParser
import SluiceJSON

/// `--chunk-size`, shared by every subcommand that streams its input.
struct ChunkOptions: ParsableArguments {
    @Option(name: .customLong("chunk-size"), help: "Bytes read and fed per chunk (1 to 1073741824).")
    var chunkSize = 65_536

    /// The largest chunk: one buffer of this size is allocated up front, so a typo must not ask for terabytes.
    static let maximum = 1 << 30

    func validate() throws {
        guard (1...Self.maximum).contains(chunkSize) else {
            throw ValidationError(
                "--chunk-size must be between 1 and \(Self.maximum) bytes (got \(chunkSize)); the default is 65536")
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

    /// `value` as compact JSON text.
    static func json(_ value: JSONValue) -> String { String(decoding: jsonLine(value), as: UTF8.self) }

    /// Streams `name` through `body` chunk by chunk, then calls `finish`; says how it went.
    /// Errors other than parse and input errors (a closed pipe, say) propagate.
    static func stream(
        _ name: String, chunkSize: Int, _ body: (UnsafeRawBufferPointer) throws -> Void, finish: () throws -> Void
    ) throws -> StreamOutcome {
        do {
            let input = try ChunkedInput(path: name)
            try input.forEachChunk(size: chunkSize, body)
            try finish()
            return .completed
        } catch let error as JSONParseError {
            return .invalid(error)
        } catch let error as InputError {
            return .unreadable(error)
        }
    }

    /// Ends a command whose results are JSON lines: an invalid input gets a final `{"error":...}` line,
    /// the verdict on stderr and exit status 1; an unreadable one a message on stderr and exit status 3.
    static func finish(_ name: String, _ outcome: StreamOutcome, output: StandardOutput) throws {
        switch outcome {
        case .completed:
            output.flush()
        case .invalid(let error):
            output.writeLine(errorLine(error))
            output.flush()
            StandardError.write("sluice: " + invalid(name, error))
            throw ExitStatus.invalidInput.exitCode
        case .unreadable(let error):
            output.flush()
            StandardError.write("sluice: \(error)")
            throw ExitStatus.unreadableInput.exitCode
        }
    }
}

/// How streaming one input ended.
enum StreamOutcome {
    case completed
    case invalid(JSONParseError)
    case unreadable(InputError)
}
