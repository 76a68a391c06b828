import CSluiceSIMD

/// Stage 1 of the indexed scan path (`JSONScanPath.indexed`): a 64-byte block of the window, classified once
/// into bit masks (bit `k` describes byte `start + k`), as simdjson's stage 1 does. Two kinds, each computed
/// the first time the reader's stage 2 needs it in a block: `JSONStringBlock` (quotes, escapes, control and
/// non-ASCII bytes) inside strings, and `JSONSpaceBlock` (whitespace, newlines) between tokens.
///
/// Stage 2 (`JSONTokenReader.scan`) reads the masks instead of the bytes: it skips a whitespace run to the next
/// set bit of `~whitespace`, counting its newlines, and finds a string's closing quote as the next bit of
/// `quotes`, stopping on the way only at the bits of `escapes` and `specials`.
///
/// **Carried state.** Whether a byte is escaped depends on the backslash run before it, which may begin in an
/// earlier block: a string block is classified with the carry that the block before it hands on
/// (`JSONByteClasses.escaped`, simdjson's odd-run rule). A fresh chain (no carry) starts only where no backslash
/// can be pending: at the first byte of a string's content (after its opening quote) and right after a complete
/// escape or UTF-8 sequence. A string cut by the end of a chunk is resumed from such a point, so the state that
/// crosses chunk boundaries is the reader's partial-token state (`partialResume`, `partialFlag`).
struct JSONStringBlock {
    /// Window index of the block's first byte.
    var start: Int
    /// Quotes that are not escaped: inside a string, the next one closes it.
    var quotes: UInt64
    /// Backslashes that start an escape (not themselves escaped).
    var escapes: UInt64
    /// Control bytes (< 0x20) and non-ASCII bytes (>= 0x80).
    var specials: UInt64
    /// Whether the byte after the block is escaped by a backslash run that ends the block.
    var carry: Bool

    /// A block that covers no window index.
    static let none = JSONStringBlock(start: Int.min / 2, quotes: 0, escapes: 0, specials: 0, carry: false)

    /// Whether window index `index` lies in this block.
    @inline(__always)
    func covers(_ index: Int) -> Bool { UInt(bitPattern: index &- start) < 64 }

    /// Classifies the 64 bytes at window index `start` (all readable); `escaped` says whether the first one is
    /// escaped by the bytes before it.
    @inline(__always)
    static func classify(_ p: UnsafePointer<UInt8>, at start: Int, escaped: Bool) -> JSONStringBlock {
        let raw = sluice_classify_strings64(p + start)
        var carry = escaped
        let isEscaped = JSONByteClasses.escaped(raw.backslashes, carry: &carry)
        return JSONStringBlock(
            start: start, quotes: raw.quotes & ~isEscaped, escapes: raw.backslashes & ~isEscaped,
            specials: raw.specials, carry: carry)
    }
}

/// The whitespace half of the structural index: see `JSONStringBlock`.
struct JSONSpaceBlock {
    /// Window index of the block's first byte.
    var start: Int
    /// Space, tab, carriage return and newline.
    var whitespace: UInt64
    /// Newlines.
    var newlines: UInt64

    /// A block that covers no window index.
    static let none = JSONSpaceBlock(start: Int.min / 2, whitespace: 0, newlines: 0)

    /// Whether window index `index` lies in this block.
    @inline(__always)
    func covers(_ index: Int) -> Bool { UInt(bitPattern: index &- start) < 64 }

    /// Classifies the 64 bytes at window index `start` (all readable).
    @inline(__always)
    static func classify(_ p: UnsafePointer<UInt8>, at start: Int) -> JSONSpaceBlock {
        let raw = sluice_classify_spaces64(p + start)
        return JSONSpaceBlock(start: start, whitespace: raw.whitespace, newlines: raw.newlines)
    }
}
