// Strings and numbers: the two token kinds that can be longer than a chunk. Both scanners resume from
// a saved index, so a token that spans many chunks is scanned once, not once per chunk.
// They return the end index, or `-(resume + 1)` when the window ends first and more input is needed.

extension JSONTokenReader {
    /// Scans string content from window index `from` up to the closing quote.
    ///
    /// Content bytes must lie below `contentStart + maxTokenLength` and every byte below `documentLimit`.
    /// Returns the index of the closing quote, or `-(resume + 1)` where `resume` is a safe restart point.
    @inline(__always)
    func scanString<Path: JSONScanStrategy>(
        _ path: Path.Type, _ p: UnsafePointer<UInt8>, _ n: Int, contentStart: Int, from: Int, escaped: inout Bool, documentLimit: Int
    ) throws(JSONParseError) -> Int {
        let (contentLimit, limit, end) = stringBounds(n, contentStart: contentStart, documentLimit: documentLimit)
        var i = from
        while true {
            if Path.usesSIMD { i = Self.simdStringRun(p, from: i, end: end) }
            // Skip 8 plain ASCII bytes at a time: no quote, backslash, control byte or non-ASCII byte.
            i = JSONSWAR.skipPlainStringWords(p, from: i, end: end)
            if i >= end { break }
            let c = p[i]
            if c == 0x22 { return i }
            if c == 0x5C {
                escaped = true
                let next = try scanEscape(p, n, at: i, end: end, limit: limit, documentLimit: documentLimit)
                if next < 0 { return -(i &+ 1) }
                i = next
            } else if c >= 0x80 {
                // SIMD: validate up to 32 bytes of sequences at once; the scalar validator reports errors.
                if Path.usesSIMD && i &+ 32 <= end, case .valid(let count) = JSONSIMD.validateUTF8(p, i) {
                    i &+= count
                    continue
                }
                let next = try scanUTF8(p, n, at: i, end: end, limit: limit, documentLimit: documentLimit)
                if next < 0 { return -(i &+ 1) }
                i = next
            } else if c < 0x20 {
                throw makeError(
                    .controlCharacterInString, "unescaped control character \(describe(c)) in a string", at: i, p)
            } else {
                i &+= 1
            }
        }
        // The window or a limit ended the scan at `i`.
        if i < n {
            // `i == limit`: the closing quote may sit exactly at the token-length limit.
            if i == contentLimit && i < documentLimit && p[i] == 0x22 { return i }
            throw limitError(at: i, documentLimit: documentLimit, p)
        }
        if isFinal {
            throw makeError(.unexpectedEndOfInput, "unexpected end of input inside a string", at: n, p)
        }
        return -(i &+ 1)
    }

    /// Where the content of a string that starts at `contentStart` must end: `contentLimit` (the token-length
    /// limit), `limit` (that or the document limit, the nearer) and `end` (that or the window's end `n`).
    @inline(__always)
    func stringBounds(_ n: Int, contentStart: Int, documentLimit: Int) -> (contentLimit: Int, limit: Int, end: Int) {
        let maxToken = limits.maxTokenLength
        let contentLimit = maxToken > Int.max &- contentStart ? Int.max : contentStart &+ maxToken
        let limit = Swift.min(contentLimit, documentLimit)
        return (contentLimit, limit, Swift.min(n, limit))
    }

    /// Validates the escape at `i` (a backslash); returns the index after it, or -1 when more input is needed.
    @inline(__always)
    func scanEscape(
        _ p: UnsafePointer<UInt8>, _ n: Int, at i: Int, end: Int, limit: Int, documentLimit: Int
    ) throws(JSONParseError) -> Int {
        if i &+ 1 >= end {
            try checkBoundary(needing: i &+ 1, n: n, limit: limit, documentLimit: documentLimit, p)
            return -1
        }
        switch p[i &+ 1] {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:  // " \ / b f n r t
            return i &+ 2
        case 0x75:  // u
            let first = try hexQuad(p, n, at: i &+ 2, end: end, limit: limit, documentLimit: documentLimit)
            if first < 0 { return -1 }
            if first >= 0xDC00 && first <= 0xDFFF {
                throw makeError(.invalidUnicodeEscape, "unpaired low surrogate escape in a string", at: i, p)
            }
            guard first >= 0xD800 && first <= 0xDBFF else { return i &+ 6 }
            // A high surrogate must be followed by `\u` and a low surrogate.
            for k in 6...7 {
                let index = i &+ k
                if index >= end {
                    try checkBoundary(needing: index, n: n, limit: limit, documentLimit: documentLimit, p)
                    return -1
                }
                guard p[index] == (k == 6 ? 0x5C : 0x75) else {
                    throw makeError(
                        .invalidUnicodeEscape, "high surrogate escape not followed by a low surrogate escape",
                        at: index, p)
                }
            }
            let second = try hexQuad(p, n, at: i &+ 8, end: end, limit: limit, documentLimit: documentLimit)
            if second < 0 { return -1 }
            guard second >= 0xDC00 && second <= 0xDFFF else {
                throw makeError(
                    .invalidUnicodeEscape, "high surrogate escape not followed by a low surrogate escape",
                    at: i &+ 6, p)
            }
            return i &+ 12
        default:
            throw makeError(.invalidEscape, "invalid escape \\\(describe(p[i &+ 1]))", at: i &+ 1, p)
        }
    }

    /// Reads four hex digits at `at`; returns their value, or -1 when more input is needed.
    @inline(__always)
    func hexQuad(
        _ p: UnsafePointer<UInt8>, _ n: Int, at start: Int, end: Int, limit: Int, documentLimit: Int
    ) throws(JSONParseError) -> Int {
        var value = 0
        for index in start..<(start &+ 4) {
            if index >= end {
                try checkBoundary(needing: index, n: n, limit: limit, documentLimit: documentLimit, p)
                return -1
            }
            let digit = JSONSWAR.hexValue(p[index])
            guard digit >= 0 else {
                throw makeError(
                    .invalidUnicodeEscape, "expected a hex digit in \\u escape, found \(describe(p[index]))",
                    at: index, p)
            }
            value = value &<< 4 | digit
        }
        return value
    }

    /// Validates the UTF-8 sequence led by the byte at `i` (>= 0x80); returns the index after it, or -1.
    @inline(__always)
    func scanUTF8(
        _ p: UnsafePointer<UInt8>, _ n: Int, at i: Int, end: Int, limit: Int, documentLimit: Int
    ) throws(JSONParseError) -> Int {
        let lead = p[i]
        guard let (length, low, high) = JSONSWAR.utf8Sequence(lead: lead) else {
            throw makeError(.invalidUTF8, "invalid UTF-8 lead byte \(describe(lead))", at: i, p)
        }
        for k in 1..<length {
            let index = i &+ k
            if index >= end {
                try checkBoundary(needing: index, n: n, limit: limit, documentLimit: documentLimit, p)
                return -1
            }
            let byte = p[index]
            if k == 1 ? (byte < low || byte > high) : (byte & 0xC0 != 0x80) {
                throw makeError(.invalidUTF8, "invalid UTF-8 continuation byte \(describe(byte))", at: index, p)
            }
        }
        return i &+ length
    }

    /// Scans a number from window index `from` in grammar state `state`.
    ///
    /// Returns the index after the number, or `-(resume + 1)` when the window ends first (the number
    /// may continue). After `finalize()`, the end of the input ends the number.
    // `mutating` although it only reads: a non-mutating call from `scan` (itself mutating) copied the whole reader,
    // 264 bytes, onto the stack before every number that was not taken by the inlined fast path. `scanString` stays
    // non-mutating: made mutating, it cost micro/tokenize/twitter/chunk4k 23 % more instructions (8.91 M -> 10.95 M per
    // operation; the loop then reloads the reader's fields after every string), far more than the copy it saves.
    @inline(__always)
    mutating func scanNumber(
        _ p: UnsafePointer<UInt8>, _ n: Int, start: Int, from: Int, state: inout NumberState, documentLimit: Int
    ) throws(JSONParseError) -> Int {
        let maxToken = limits.maxTokenLength
        let tokenLimit = maxToken > Int.max &- start ? Int.max : start &+ maxToken
        let limit = Swift.min(tokenLimit, documentLimit)
        let end = Swift.min(n, limit)
        if state == .start, let fast = Self.scanNumberFast(p, from: from, end: end, state: &state) { return fast }
        var i = from
        var s = state
        scanning: while i < end {
            let c = p[i]
            switch s {
            case .start:
                s = c == 0x2D ? .minus : (c == 0x30 ? .zero : .integer)
                i &+= 1
            case .minus:
                if c == 0x30 {
                    s = .zero
                } else if c &- 0x31 < 9 {
                    s = .integer
                } else {
                    throw makeError(.invalidNumber, "expected a digit after '-', found \(describe(c))", at: i, p)
                }
                i &+= 1
            case .integer, .zero, .fraction:
                if s != .zero && c &- 0x30 < 10 {
                    i &+= 1
                    while i < end && p[i] &- 0x30 < 10 { i &+= 1 }
                } else if c == 0x2E && s != .fraction {
                    s = .dot
                    i &+= 1
                } else if c | 0x20 == 0x65 {
                    s = .exponentMark
                    i &+= 1
                } else {
                    break scanning
                }
            case .dot:
                guard c &- 0x30 < 10 else {
                    throw makeError(.invalidNumber, "expected a digit after '.', found \(describe(c))", at: i, p)
                }
                s = .fraction
                i &+= 1
            case .exponentMark:
                if c == 0x2B || c == 0x2D {
                    s = .exponentSign
                } else if c &- 0x30 < 10 {
                    s = .exponent
                } else {
                    throw makeError(
                        .invalidNumber, "expected a digit or sign in the exponent, found \(describe(c))", at: i, p)
                }
                i &+= 1
            case .exponentSign:
                guard c &- 0x30 < 10 else {
                    throw makeError(.invalidNumber, "expected a digit in the exponent, found \(describe(c))", at: i, p)
                }
                s = .exponent
                i &+= 1
            case .exponent:
                guard c &- 0x30 < 10 else { break scanning }
                i &+= 1
                while i < end && p[i] &- 0x30 < 10 { i &+= 1 }
            }
        }
        state = s
        if i < end { return i }  // ended by a byte that is not part of the number
        if i < n {
            // At the limit: fine if the next byte cannot continue the number.
            if s.isComplete && !JSONSWAR.continuesNumber(p[i], s) { return i }
            throw limitError(at: i, documentLimit: documentLimit, p)
        }
        if isFinal {
            if s.isComplete { return i }
            throw makeError(.unexpectedEndOfInput, "unexpected end of input inside a number", at: n, p)
        }
        return -(i &+ 1)
    }

    /// The common case in straight-line code: a whole, valid number followed by a byte that ends it,
    /// all before `end`. Returns `nil` (state untouched) for anything else; the state machine then
    /// rescans from the start and reports boundaries and errors.
    @inline(__always)
    static func scanNumberFast(_ p: UnsafePointer<UInt8>, from: Int, end: Int, state: inout NumberState) -> Int? {
        var i = from
        if p[i] == 0x2D {
            i &+= 1
            guard i < end else { return nil }
        }
        let first = p[i]
        if first == 0x30 {
            i &+= 1
        } else if first &- 0x31 < 9 {
            i = JSONSWAR.skipDigits(p, from: i &+ 1, end: end)
        } else {
            return nil
        }
        guard i < end else { return nil }
        var result = NumberState.integer
        if p[i] == 0x2E {
            i &+= 1
            guard i < end, p[i] &- 0x30 < 10 else { return nil }
            i = JSONSWAR.skipDigits(p, from: i &+ 1, end: end)
            guard i < end else { return nil }
            result = .fraction
        }
        if p[i] | 0x20 == 0x65 {
            i &+= 1
            guard i < end else { return nil }
            if p[i] == 0x2B || p[i] == 0x2D {
                i &+= 1
                guard i < end else { return nil }
            }
            guard p[i] &- 0x30 < 10 else { return nil }
            i = JSONSWAR.skipDigits(p, from: i &+ 1, end: end)
            guard i < end else { return nil }
            result = .exponent
        }
        // A digit after a leading zero, or a second '.', is left to the caller's grammar checks
        // exactly as the state machine would: the number ends here either way.
        state = result
        return i
    }
}
