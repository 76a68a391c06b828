import SluiceJSON

/// The framing rules written out byte by byte over a whole buffer, as plainly as possible:
/// the assembler's block scanner and chunk handling must agree with this exactly.
enum FramingOracle {
    static func frame(_ bytes: [UInt8], mode: JSONFramingAssembler.Mode, limits: JSONLimits = .default)
        -> FramingOutcome
    {
        var outcome = FramingOutcome()
        func fail(_ code: JSONParseError.Code, _ offset: Int) -> FramingOutcome {
            let (line, column) = lineAndColumn(of: offset, in: bytes)
            outcome.failure = .init(code: code, offset: offset, line: line, column: column)
            return outcome
        }
        func emit(_ start: Int, _ end: Int) {
            let (line, column) = lineAndColumn(of: start, in: bytes)
            outcome.frames.append(
                .init(offset: start, length: end - start, bytes: Array(bytes[start..<end]), line: line, column: column))
        }
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0D, 0x0A]
        let delimiters: Set<UInt8> = whitespace.union(Array("{}[]\",:".utf8))
        let scalarStarts: Set<UInt8> = Set(Array("-0123456789tfn".utf8))
        let newline = UInt8(ascii: "\n")
        var i = 0
        var needsNewline = false
        while i < bytes.count {
            let byte = bytes[i]
            if needsNewline {
                if byte == newline { needsNewline = false } else if !whitespace.contains(byte) {
                    return fail(.trailingContent, i)
                }
                i += 1
                continue
            }
            if whitespace.contains(byte) {
                i += 1
                continue
            }
            let start = i
            func tooLarge(_ at: Int) -> Bool { at - start >= limits.maxDocumentSize }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                var depth = 1
                if depth > limits.maxDepth { return fail(.depthLimitExceeded, i) }
                var inString = false
                var escaped = false
                var stringStart = 0
                var closed = false
                i += 1
                while i < bytes.count {
                    let b = bytes[i]
                    if tooLarge(i) { return fail(.documentTooLarge, i) }
                    let closingQuote = b == UInt8(ascii: "\"") && !escaped
                    if inString && i - stringStart - 1 >= limits.maxTokenLength && !closingQuote {
                        return fail(.tokenTooLarge, i)
                    }
                    if mode == .newlineDelimited && b == newline { return fail(.unexpectedEndOfInput, i) }
                    i += 1
                    if escaped {
                        escaped = false
                    } else if b == UInt8(ascii: "\\") {
                        escaped = true
                    } else if b == UInt8(ascii: "\"") {
                        inString.toggle()
                        stringStart = i - 1
                    } else if !inString && (b == UInt8(ascii: "{") || b == UInt8(ascii: "[")) {
                        depth += 1
                        if depth > limits.maxDepth { return fail(.depthLimitExceeded, i - 1) }
                    } else if !inString && (b == UInt8(ascii: "}") || b == UInt8(ascii: "]")) {
                        depth -= 1
                        if depth == 0 {
                            closed = true
                            break
                        }
                    }
                }
                if !closed { return fail(.unexpectedEndOfInput, bytes.count) }
                emit(start, i)
            } else if byte == UInt8(ascii: "\"") {
                var escaped = false
                var closed = false
                i += 1
                while i < bytes.count {
                    let b = bytes[i]
                    if tooLarge(i) { return fail(.documentTooLarge, i) }
                    let closingQuote = b == UInt8(ascii: "\"") && !escaped
                    if i - start - 1 >= limits.maxTokenLength && !closingQuote { return fail(.tokenTooLarge, i) }
                    if mode == .newlineDelimited && b == newline { return fail(.unexpectedEndOfInput, i) }
                    i += 1
                    if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if closingQuote {
                        closed = true
                        break
                    }
                }
                if !closed { return fail(.unexpectedEndOfInput, bytes.count) }
                emit(start, i)
            } else if scalarStarts.contains(byte) {
                i += 1
                while i < bytes.count && !delimiters.contains(bytes[i]) {
                    if tooLarge(i) { return fail(.documentTooLarge, i) }
                    if i - start >= limits.maxTokenLength { return fail(.tokenTooLarge, i) }
                    i += 1
                }
                emit(start, i)
            } else {
                return fail(.unexpectedByte, i)
            }
            needsNewline = mode == .newlineDelimited
        }
        return outcome
    }
}
