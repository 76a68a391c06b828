import ArgumentParser
import SluiceJSON

/// `sluice tokens`: the token stream of a document, one JSON line per token.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Print the tokens of a JSON document, one JSON line each.",
        discussion: """
            Each line is {"token":T} for beginObject, endObject, beginArray, endArray, true, false, null \
            and endOfDocument; keys, strings and numbers add their byte offset (of the opening quote, or \
            the number's first byte) and value: {"offset":12,"token":"key","value":"name"}, \
            {"offset":20,"token":"number","value":1.5e3} (the number's exact text). The input is fed to \
            the incremental token reader in --chunk-size pieces, so the output is the same for any size. \
            On an error the last line is {"error":{...}}, the error is repeated on stderr, and the exit \
            status is 1.
            """
    )

    @OptionGroup var chunking: ChunkOptions

    @Flag(help: "Accept several documents, concatenated or one per line.")
    var multiple = false

    @Argument(help: "The document to tokenize; `-` reads standard input.")
    var file: String

    func run() throws {
        let output = StandardOutput()
        var reader = JSONTokenReader(allowsMultipleDocuments: multiple)
        let outcome = try withUnsafeTemporaryAllocation(of: JSONToken.self, capacity: 1024) { tokens in
            func drain() throws {
                while case let count = try reader.read(into: tokens), count > 0 {
                    for token in tokens[..<count] { output.writeLine(Self.line(for: token, from: reader)) }
                }
            }
            return try Report.stream(file, chunkSize: chunking.chunkSize) { chunk in
                reader.feed(chunk)
                try drain()
            } finish: {
                try reader.finalize()
                try drain()
            }
        }
        try Report.finish(file, outcome, output: output)
    }

    /// One token as a JSON line.
    static func line(for token: JSONToken, from reader: JSONTokenReader) -> String {
        switch token {
        case .beginObject: #"{"token":"beginObject"}"#
        case .endObject: #"{"token":"endObject"}"#
        case .beginArray: #"{"token":"beginArray"}"#
        case .endArray: #"{"token":"endArray"}"#
        case .true: #"{"token":"true"}"#
        case .false: #"{"token":"false"}"#
        case .null: #"{"token":"null"}"#
        case .endOfDocument: #"{"token":"endOfDocument"}"#
        case .key(let span): spanned("key", span.offset - 1, Report.json(.string(reader.string(for: span))))
        case .string(let span): spanned("string", span.offset - 1, Report.json(.string(reader.string(for: span))))
        case .number(let span): spanned("number", span.offset, reader.numberText(for: span))
        }
    }

    private static func spanned(_ kind: String, _ offset: Int, _ value: String) -> String {
        #"{"offset":\#(offset),"token":"\#(kind)","value":\#(value)}"#
    }
}
