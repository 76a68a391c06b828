import ArgumentParser
import SluiceJSON

/// `sluice frames`: the byte range of every document in a stream, one JSON line each.
struct FramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames",
        abstract: "Print the byte range of every document in a stream, one JSON line each.",
        discussion: """
            Each line is {"index":I,"offset":O,"length":N,"line":L,"column":C}: the document's position \
            among the documents, its absolute byte offset and length, and the line and column of its \
            first byte. For length-prefixed input the range is the payload's, after the prefix.

            Framing follows strings, escapes and nesting; it does not validate each document unless \
            --validate is given, which also parses each one strictly (RFC 8259, UTF-8) before printing \
            its line. On an error the last line is {"error":{...}}, the error \
            is repeated on stderr as FILE: offset N (line L, column C): message, and the exit status is 1.

            Length prefixes: u32be is a 4-byte unsigned big-endian length; decimal is ASCII digits then \
            a newline. Each payload must be exactly one JSON document (whitespace around it is allowed).
            """
    )

    /// The stream layouts `frames` understands.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case ndjson
        case concat
        case lengthPrefixed = "length-prefixed"
    }

    /// The length prefixes of `--format length-prefixed`.
    enum Prefix: String, ExpressibleByArgument, CaseIterable {
        case u32be
        case decimal
    }

    @Option(help: "How documents are laid out: one per line, concatenated, or length-prefixed.")
    var format: Format = .ndjson

    @Option(help: "The length prefix for --format length-prefixed (default: u32be).")
    var prefix: Prefix?

    @Flag(
        name: .customLong("validate"),
        help: "Also parse each document strictly; the first invalid one ends the output with its error.")
    var validatesDocuments = false

    @OptionGroup var chunking: ChunkOptions

    @Argument(help: "The stream to frame; `-` reads standard input.")
    var file: String

    func validate() throws {
        if prefix != nil && format != .lengthPrefixed {
            throw ValidationError("--prefix applies only to --format length-prefixed (got --format \(format.rawValue))")
        }
    }

    func run() throws {
        switch format {
        case .ndjson: try frame(with: JSONFramingAssembler(mode: .newlineDelimited))
        case .concat: try frame(with: JSONFramingAssembler(mode: .concatenated))
        case .lengthPrefixed:
            let prefix: JSONLengthPrefixedReader.Prefix = self.prefix == .decimal ? .asciiDecimalLine : .bigEndianUInt32
            try frame(with: JSONLengthPrefixedReader(prefix: prefix))
        }
    }

    private func frame<Framer: JSONFraming>(with framer: Framer) throws {
        let output = StandardOutput()
        let write = { (frame: JSONFrame) in
            output.writeLine(
                #"{"index":\#(frame.index),"offset":\#(frame.offset),"length":\#(frame.length),"#
                    + #""line":\#(frame.line),"column":\#(frame.column)}"#)
        }
        let outcome: StreamOutcome
        if validatesDocuments {
            var materializer = JSONStreamingMaterializer(framer: framer)
            outcome = try Report.stream(file, chunkSize: chunking.chunkSize) { chunk in
                try materializer.feed(chunk) { _, frame in write(frame) }
            } finish: {
                try materializer.finalize { _, frame in write(frame) }
            }
        } else {
            var framer = framer
            outcome = try Report.stream(file, chunkSize: chunking.chunkSize) { chunk in
                try framer.feed(chunk, onFrame: write)
            } finish: {
                try framer.finalize(onFrame: write)
            }
        }
        try Report.finish(file, outcome, output: output)
    }
}
