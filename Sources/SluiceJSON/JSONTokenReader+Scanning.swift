// The tokenizer's inner loop. It works on the raw window with locals for the hot state, and writes
// the state back when it stops (window exhausted, token buffer full). Errors are thrown where found;
// the caller (`read(into:)`) records them so the reader stays failed.

private let quote: UInt8 = 0x22
private let backslash: UInt8 = 0x5C

extension JSONTokenReader {
    // swiftlint:disable:next function_body_length cyclomatic_complexity
    mutating func scan<Path: JSONScanStrategy>(
        _ path: Path.Type, _ window: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<JSONToken>, capacity: Int,
        produced: inout Int
    ) throws(JSONParseError) {
        // A non-zero bit pattern is never nil; the pointer is not read when the window is empty.
        let p = window.baseAddress ?? UnsafePointer<UInt8>(bitPattern: 1)!
        let n = window.count
        let base = storageBase
        var i = position
        var expect = self.expect
        var documentLimit = self.documentLimit &- base  // relative to the window
        let maxDepth = limits.maxDepth
        let maxToken = limits.maxTokenLength

        var resumed = partial
        partial = .none
        // The indexed path's current blocks of the structural index (valid for this window only).
        var block = JSONStringBlock.none
        var spaces = JSONSpaceBlock.none
        scanning: while produced &+ 2 <= capacity {
            var kind: Partial
            var tokenStart: Int
            var resume: Int
            if resumed != .none {
                kind = resumed
                tokenStart = i
                resume = partialResume &- base
                resumed = .none
            } else {
                // Whitespace.
                while i < n {
                    let c = p[i]
                    if c == 0x20 {
                        i &+= 1
                        // Runs of spaces (indentation): skip 8 at a time.
                        while i &+ 8 <= n && p[i] == 0x20 {
                            let word = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
                            let other = word ^ 0x2020_2020_2020_2020
                            if other != 0 {
                                i &+= other.trailingZeroBitCount &>> 3
                                break
                            }
                            i &+= 8
                        }
                    } else if c == 0x0A {
                        // A newline usually starts an indentation run: skip it with the index, or 64 bytes at a time.
                        if Path.usesIndex {
                            let next = indexedSkipWhitespace(p, from: i, n: n, base: base, block: &spaces)
                            if next > i {
                                i = next
                                continue
                            }
                        }
                        if Path.usesSIMD && i &+ 64 <= n {
                            i = simdSkipWhitespace(p, from: i, base: base)
                            continue
                        }
                        newlineCount &+= 1
                        lastNewline = base &+ i
                        i &+= 1
                    } else if c == 0x0D || c == 0x09 {
                        i &+= 1
                    } else {
                        break
                    }
                }
                if i >= n { break scanning }
                if i >= documentLimit {
                    throw limitError(at: documentLimit, documentLimit: documentLimit, p)
                }
                let c = p[i]
                switch c {
                case quote:
                    if expect == .keyOrEndObject || expect == .key {
                        kind = .key
                    } else if expect.allowsValue {
                        if expect == .documentStart { documentLimit = startDocument(at: i) }
                        kind = .string
                    } else {
                        throw unexpected(c, at: i, expect, p)
                    }
                    tokenStart = i
                    partialFlag = false
                    let contentStart = i &+ 1
                    if Path.usesIndex {
                        var hasEscape = false
                        let found = try indexedString(
                            p, n, contentStart: contentStart, documentLimit: documentLimit, block: &block,
                            hasEscape: &hasEscape)
                        if found >= 0 {
                            let span = JSONSpan(offset: base &+ contentStart, length: found &- contentStart, flag: hasEscape)
                            i = found &+ 1
                            emitString(span, isKey: kind == .key, out, &produced, &expect, &documentLimit)
                            continue scanning
                        }
                        partialFlag = hasEscape
                        resume = -found &- 1
                        break
                    }
                    // Fast path: plain ASCII up to the closing quote, inside the window and the limits.
                    let end = Swift.min(n, Swift.min(documentLimit, contentStart &+ Swift.min(maxToken, n)))
                    var j = Path.usesSIMD ? Self.simdStringRun(p, from: contentStart, end: end) : contentStart
                    j = JSONSWAR.skipPlainStringWords(p, from: j, end: end)
                    while j < end {
                        let b = p[j]
                        if b == quote || b == backslash || b < 0x20 || b >= 0x80 { break }
                        j &+= 1
                    }
                    if j < end && p[j] == quote {
                        let span = JSONSpan(offset: base &+ contentStart, length: j &- contentStart, flag: false)
                        i = j &+ 1
                        emitString(span, isKey: kind == .key, out, &produced, &expect, &documentLimit)
                        continue scanning
                    }
                    resume = j  // everything before `j` is plain ASCII
                case 0x30...0x39, 0x2D:  // digit, '-'
                    guard expect.allowsValue else { throw unexpected(c, at: i, expect, p) }
                    if expect == .documentStart { documentLimit = startDocument(at: i) }
                    // Fast path: a whole number inside the window and the limits.
                    let limit = Swift.min(documentLimit, i &+ Swift.min(maxToken, n))
                    var fastState = NumberState.start
                    let fastEnd =
                        Path.usesSIMD
                        ? Self.scanNumberSIMD(p, from: i, end: Swift.min(n, limit), state: &fastState)
                        : Self.scanNumberFast(p, from: i, end: Swift.min(n, limit), state: &fastState)
                    if let end = fastEnd {
                        (out + produced).initialize(
                            to: .number(JSONSpan(offset: base &+ i, length: end &- i, flag: fastState != .integer)))
                        produced &+= 1
                        i = end
                        finishValue(out, &produced, &expect, &documentLimit)
                        continue scanning
                    }
                    kind = .number
                    tokenStart = i
                    resume = i
                    partialNumberState = .start
                case 0x2C:  // ','
                    if expect == .commaOrEndArray {
                        top.index &+= 1
                        expect = .value
                    } else if expect == .commaOrEndObject {
                        top.index = 0
                        expect = .key
                    } else {
                        throw unexpected(c, at: i, expect, p)
                    }
                    i &+= 1
                    continue scanning
                case 0x3A:  // ':'
                    guard expect == .colon else { throw unexpected(c, at: i, expect, p) }
                    expect = .value
                    i &+= 1
                    continue scanning
                case 0x7B, 0x5B:  // '{', '['
                    guard expect.allowsValue else { throw unexpected(c, at: i, expect, p) }
                    if expect == .documentStart { documentLimit = startDocument(at: i) }
                    guard depthCount < maxDepth else {
                        throw makeError(
                            .depthLimitExceeded, "nesting deeper than the limit of \(maxDepth)", at: i, p)
                    }
                    let isObject = c == 0x7B
                    if depthCount > 0 { enclosing.append(top) }
                    top = Level(isObject: isObject, index: 0)
                    depthCount &+= 1
                    (out + produced).initialize(to: isObject ? .beginObject : .beginArray)
                    produced &+= 1
                    expect = isObject ? .keyOrEndObject : .valueOrEndArray
                    i &+= 1
                    continue scanning
                case 0x7D:  // '}'
                    guard expect == .keyOrEndObject || expect == .commaOrEndObject else {
                        throw unexpected(c, at: i, expect, p)
                    }
                    popLevel()
                    (out + produced).initialize(to: .endObject)
                    produced &+= 1
                    i &+= 1
                    finishValue(out, &produced, &expect, &documentLimit)
                    continue scanning
                case 0x5D:  // ']'
                    guard expect == .valueOrEndArray || expect == .commaOrEndArray else {
                        throw unexpected(c, at: i, expect, p)
                    }
                    popLevel()
                    (out + produced).initialize(to: .endArray)
                    produced &+= 1
                    i &+= 1
                    finishValue(out, &produced, &expect, &documentLimit)
                    continue scanning
                case 0x74, 0x66, 0x6E:  // 't', 'f', 'n'
                    guard expect.allowsValue else { throw unexpected(c, at: i, expect, p) }
                    if expect == .documentStart { documentLimit = startDocument(at: i) }
                    let token: JSONToken
                    let length: Int
                    switch c {
                    case 0x74: (token, length) = (.true, 4)
                    case 0x66: (token, length) = (.false, 5)
                    default: (token, length) = (.null, 4)
                    }
                    // The literal's text is its token's own name.
                    let expected: StaticString =
                        switch c {
                        case 0x74: "true"
                        case 0x66: "false"
                        default: "null"
                        }
                    let text = expected.utf8Start
                    var k = 1
                    while k < length {
                        let index = i &+ k
                        if index >= n || index >= documentLimit {
                            try checkBoundary(needing: index, n: n, limit: documentLimit, documentLimit: documentLimit, p)
                            break scanning  // need more input; rescan the literal from its start
                        }
                        guard p[index] == text[k] else {
                            throw makeError(
                                .invalidLiteral, "expected '\(expected)', found \(describe(p[index]))", at: index, p)
                        }
                        k &+= 1
                    }
                    (out + produced).initialize(to: token)
                    produced &+= 1
                    i &+= length
                    finishValue(out, &produced, &expect, &documentLimit)
                    continue scanning
                default:
                    throw unexpected(c, at: i, expect, p)
                }
            }

            // A string, key or number, started fresh or resumed.
            if kind == .number {
                var state = partialNumberState
                let end = try scanNumber(
                    p, n, start: tokenStart, from: resume, state: &state, documentLimit: documentLimit)
                if end < 0 {
                    partial = .number
                    partialNumberState = state
                    partialResume = base &+ (-end &- 1)
                    i = tokenStart
                    break scanning
                }
                let isInteger = state == .zero || state == .integer
                (out + produced).initialize(
                    to: .number(JSONSpan(offset: base &+ tokenStart, length: end &- tokenStart, flag: !isInteger)))
                produced &+= 1
                i = end
                finishValue(out, &produced, &expect, &documentLimit)
            } else {
                let contentStart = tokenStart &+ 1
                var escaped = partialFlag
                let end = try scanString(
                    Path.self, p, n, contentStart: contentStart, from: resume, escaped: &escaped, documentLimit: documentLimit)
                if end < 0 {
                    partial = kind
                    partialFlag = escaped
                    partialResume = base &+ (-end &- 1)
                    i = tokenStart
                    break scanning
                }
                let span = JSONSpan(offset: base &+ contentStart, length: end &- contentStart, flag: escaped)
                i = end &+ 1
                emitString(span, isKey: kind == .key, out, &produced, &expect, &documentLimit)
            }
        }

        if resumed != .none { partial = resumed }  // the buffer was full before the token resumed
        position = i
        self.expect = expect
        self.documentLimit = documentLimit == Int.max &- base ? Int.max : documentLimit &+ base
        if i >= n && isFinal && partial == .none && produced &+ 2 <= capacity {
            try finishInput(at: n, expect, p)
        }
    }

    /// Records the start of a document at window index `index`; returns its limit relative to the window.
    @inline(__always)
    mutating func startDocument(at index: Int) -> Int {
        let remaining = Int.max &- storageBase &- index
        return limits.maxDocumentSize >= remaining ? Int.max &- storageBase : index &+ limits.maxDocumentSize
    }

    /// Emits a finished string or key; a key becomes the innermost object's current member.
    @inline(__always)
    mutating func emitString(
        _ span: JSONSpan, isKey: Bool, _ out: UnsafeMutablePointer<JSONToken>, _ produced: inout Int,
        _ expect: inout Expect, _ documentLimit: inout Int
    ) {
        if isKey {
            top.index = 1
            top.keyOffset = span.offset
            top.keyLength = span.length
            top.keyIsEscaped = span.flag
            (out + produced).initialize(to: .key(span))
            produced &+= 1
            expect = .colon
        } else {
            (out + produced).initialize(to: .string(span))
            produced &+= 1
            finishValue(out, &produced, &expect, &documentLimit)
        }
    }

    /// After a complete value: ends the document at depth 0, else expects a comma or the container's end.
    @inline(__always)
    mutating func finishValue(
        _ out: UnsafeMutablePointer<JSONToken>, _ produced: inout Int, _ expect: inout Expect,
        _ documentLimit: inout Int
    ) {
        if depthCount == 0 {
            (out + produced).initialize(to: .endOfDocument)
            produced &+= 1
            documentCount &+= 1
            documentLimit = Int.max &- storageBase
            expect = allowsMultipleDocuments ? .documentStart : .afterDocument
        } else {
            expect = top.isObject ? .commaOrEndObject : .commaOrEndArray
        }
    }

    @inline(__always)
    mutating func popLevel() {
        depthCount &-= 1
        if depthCount > 0, let outer = enclosing.popLast() { top = outer }
    }

    /// The input ended at window index `n` (after `finalize()`): accept it or report truncation.
    mutating func finishInput(at n: Int, _ expect: Expect, _ p: UnsafePointer<UInt8>) throws(JSONParseError) {
        switch expect {
        case .afterDocument:
            isFinished = true
        case .documentStart where allowsMultipleDocuments:
            isFinished = true
        default:
            throw makeError(
                .unexpectedEndOfInput, "unexpected end of input, expected \(expect.expectation)", at: n, p)
        }
    }

    /// Called when index `index` is needed but lies at or past the window end `n` or the limit `limit`.
    /// Throws a limit error or (after `finalize()`) an end-of-input error; returns when more input is needed.
    @inline(__always)
    func checkBoundary(
        needing index: Int, n: Int, limit: Int, documentLimit: Int, _ p: UnsafePointer<UInt8>
    ) throws(JSONParseError) {
        if limit < n && index >= limit { throw limitError(at: limit, documentLimit: documentLimit, p) }
        if isFinal { throw makeError(.unexpectedEndOfInput, "unexpected end of input inside a value", at: n, p) }
    }

    func limitError(at index: Int, documentLimit: Int, _ p: UnsafePointer<UInt8>) -> JSONParseError {
        if index >= documentLimit {
            return makeError(
                .documentTooLarge, "document larger than the limit of \(limits.maxDocumentSize) bytes", at: index, p)
        }
        return makeError(.tokenTooLarge, "token longer than the limit of \(limits.maxTokenLength) bytes", at: index, p)
    }

    func unexpected(_ byte: UInt8, at index: Int, _ expect: Expect, _ p: UnsafePointer<UInt8>) -> JSONParseError {
        if expect == .afterDocument {
            return makeError(
                .trailingContent, "unexpected \(describe(byte)) after the end of the document", at: index, p)
        }
        return makeError(.unexpectedByte, "expected \(expect.expectation), found \(describe(byte))", at: index, p)
    }
}

extension JSONTokenReader.Expect {
    /// What the grammar wanted here, for error messages.
    var expectation: String {
        switch self {
        case .documentStart, .value: "a value"
        case .valueOrEndArray: "a value or ']'"
        case .keyOrEndObject: "a string key or '}'"
        case .key: "a string key"
        case .colon: "':'"
        case .commaOrEndArray: "',' or ']'"
        case .commaOrEndObject: "',' or '}'"
        case .afterDocument: "the end of the input"
        }
    }
}

/// `'x'` for printable ASCII, else `byte 0xNN`.
func describe(_ byte: UInt8) -> String {
    if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
    let hex = String(byte, radix: 16, uppercase: true)
    return "byte 0x\(byte < 0x10 ? "0" : "")\(hex)"
}
