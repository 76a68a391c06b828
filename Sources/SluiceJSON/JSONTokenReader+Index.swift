// Stage 2 of the indexed scan path: whitespace runs and strings read from the structural index's masks
// (`JSONSpaceBlock`, `JSONStringBlock`). A block is classified the first time the scan reaches a byte it does not cover, and
// only when all 64 of its bytes are in the window and (for a string) inside the limits; anywhere else the
// scalar code carries on. Escapes and UTF-8 sequences are validated by the scalar helpers at the positions the
// masks point to, so every error is found and worded as on the scalar path.

extension JSONTokenReader {
    /// Skips the whitespace run at `start` (a byte <= 0x20) with the index, counting its newlines. Returns the
    /// first index after the run, or the index from which fewer than 64 bytes remain (the scalar loop goes on).
    @inline(__always)
    mutating func indexedSkipWhitespace(
        _ p: UnsafePointer<UInt8>, from start: Int, n: Int, base: Int, block: inout JSONSpaceBlock
    ) -> Int {
        var i = start
        while true {
            if !block.covers(i) {
                // The next block on the grid when `i` lies in it, else a block that starts at `i`.
                let next = block.start &+ 64
                if UInt(bitPattern: i &- next) < 64 && next &+ 64 <= n {
                    block = .classify(p, at: next)
                } else {
                    guard i &+ 64 <= n else { return i }
                    block = .classify(p, at: i)
                }
            }
            let offset = UInt64(i &- block.start)
            let ahead = ~block.whitespace &>> offset
            let run = ahead == 0 ? 64 &- Int(offset) : ahead.trailingZeroBitCount
            let lines = (block.newlines &>> offset) & (run == 64 ? ~0 : (1 &<< UInt64(run)) &- 1)
            if lines != 0 {
                newlineCount &+= lines.nonzeroBitCount
                lastNewline = base &+ i &+ (63 &- lines.leadingZeroBitCount)
            }
            i &+= run
            if ahead != 0 { return i }
        }
    }

    /// Finds the closing quote of the string whose content starts at `contentStart`, with the index: the next
    /// unescaped quote, after validating every escape, control and non-ASCII byte before it. Sets `hasEscape`
    /// when the content has an escape.
    ///
    /// Returns the closing quote's index, or `-(resume + 1)` where the scalar `scanString` must carry on from
    /// `resume` (a sequence boundary, with `hasEscape` as found so far): when fewer than 64 bytes remain before
    /// the window's end or a limit, or a sequence needs bytes past them. Throws the scalar path's errors.
    /// `mutating` only so that the scan loop (itself mutating) calls it without copying the reader.
    @inline(__always)
    mutating func indexedString(
        _ p: UnsafePointer<UInt8>, _ n: Int, contentStart: Int, documentLimit: Int,
        block: inout JSONStringBlock, hasEscape: inout Bool
    ) throws(JSONParseError) -> Int {
        let (_, limit, end) = stringBounds(n, contentStart: contentStart, documentLimit: documentLimit)
        var j = contentStart
        while true {
            if !block.covers(j) {
                let next = block.start &+ 64
                if UInt(bitPattern: j &- next) < 64 && next &+ 64 <= end {
                    // The next block on the grid, with the backslash state the last one handed on: every byte
                    // before `j` has been read by the scanner, so the chain of blocks describes valid input.
                    block = .classify(p, at: next, escaped: block.carry)
                } else {
                    guard j &+ 64 <= end else { return -(j &+ 1) }
                    // A new chain: `j` follows the opening quote or a complete sequence, so no backslash is pending.
                    block = .classify(p, at: j, escaped: false)
                }
            } else if block.start &+ 64 > end {
                return -(j &+ 1)
            }
            let offset = UInt64(j &- block.start)
            let closers = block.quotes &>> offset
            let stops = (block.escapes | block.specials) &>> offset
            if closers != 0 && closers.trailingZeroBitCount < (stops == 0 ? 64 : stops.trailingZeroBitCount) {
                return j &+ closers.trailingZeroBitCount
            }
            if stops == 0 {
                // Plain content to the end of the block.
                j = block.start &+ 64
                continue
            }
            let k = j &+ stops.trailingZeroBitCount
            let c = p[k]
            if c == 0x5C {
                let next = try scanEscape(p, n, at: k, end: end, limit: limit, documentLimit: documentLimit)
                if next < 0 { return -(k &+ 1) }
                hasEscape = true
                j = next
            } else if c >= 0x80 {
                if k &+ 32 <= end, case .valid(let count) = JSONSIMD.validateUTF8(p, k) {
                    j = k &+ count
                } else {
                    let next = try scanUTF8(p, n, at: k, end: end, limit: limit, documentLimit: documentLimit)
                    if next < 0 { return -(k &+ 1) }
                    j = next
                }
            } else {
                throw makeError(
                    .controlCharacterInString, "unescaped control character \(describe(c)) in a string", at: k, p)
            }
        }
    }
}
