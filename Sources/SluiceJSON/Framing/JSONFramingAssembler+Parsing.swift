extension JSONFramingAssembler {
    /// What a parser that reads a document while it is framed reports: the value, the document's length, and the
    /// newlines in it (see `JSONProjectingParser.Prefix`).
    typealias ParsedDocument = JSONProjectingParser.Prefix

    /// `feed(_:onFrame:)` in one pass over the documents that a parser can read where they start.
    ///
    /// Between documents, at a document that starts in `chunk` with `{`, `[` or `"`, `parseDocument` is handed the
    /// rest of the chunk; when it reads a whole document, the frame is taken from it (its length and newlines) and
    /// the assembler's own scan skips the document's bytes, so they are read once. Where it returns nil (a document
    /// that is invalid, near a limit, or not complete in this chunk), or for a top-level scalar, the assembler
    /// frames the document itself and reports it to `onFrame`, exactly as `feed(_:onFrame:)` would: the frames
    /// and the framing errors are the same either way. In newline-delimited mode a parsed document with a newline
    /// in it is framed the long way too (the assembler reports the broken line).
    mutating func feed(
        _ chunk: UnsafeRawBufferPointer, parseDocument: (UnsafeRawBufferPointer) -> ParsedDocument?,
        onParsed: (JSONValue, JSONFrame) throws -> Void, onFrame: (JSONFrame) throws -> Void
    ) throws {
        if let failure { throw failure }
        precondition(phase != .finished, "JSONFramingAssembler.feed called after finalize()")
        guard let pointer = chunk.baseAddress, !chunk.isEmpty else { return }
        let count = chunk.count
        try scanning(chunk) { assembler in
            var index = 0
            while index < count {
                if assembler.phase == .between,
                    let end = try assembler.parsedDocument(chunk, from: index, parseDocument, onParsed)
                {
                    index = end
                    continue
                }
                index = try assembler.step(pointer, index, count, onFrame)
            }
        }
    }

    /// Between documents at `index`: skips whitespace, and when `parseDocument` reads the document that starts
    /// there, reports its frame (with its value to `onParsed`) and returns the index after it; else nil.
    @inline(__always)
    private mutating func parsedDocument(
        _ chunk: UnsafeRawBufferPointer, from index: Int, _ parseDocument: (UnsafeRawBufferPointer) -> ParsedDocument?,
        _ onParsed: (JSONValue, JSONFrame) throws -> Void
    ) throws -> Int? {
        var start = index
        while start < chunk.count {
            let byte = chunk[start]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { break }
            start &+= 1
        }
        guard start < chunk.count, let parsed = parseDocument(UnsafeRawBufferPointer(rebasing: chunk[start...])),
            mode == .concatenated || parsed.newlines == 0
        else { return nil }
        let offset = consumed + start
        lines.advance(to: offset, in: chunk, base: consumed)
        let (line, column) = lines.location
        lines.skip(to: offset + parsed.length, newlines: parsed.newlines, lastNewline: offset + parsed.lastNewline)
        let frame = JSONFrame(index: frameCount, offset: offset, length: parsed.length, line: line, column: column)
        frameCount += 1
        phase = mode == .newlineDelimited ? .afterDocument : .between
        try FrameCallbackError.call({ try onParsed(parsed.value, $0) }, frame)
        return start + parsed.length
    }
}
