// The SIMD scan path's lexeme helpers. Each one either finishes its work with vector masks or returns a
// position from which the scalar code continues; none of them reports an error, so every error comes from
// the scalar code, at the same offset and with the same words on both paths.

extension JSONTokenReader {
    /// The index of the first string stop byte (`"`, `\`, control, non-ASCII) at or after `start`, found 16 and
    /// 64 bytes at a time; or the first index from which fewer than 16 bytes remain before `end` (the scalar
    /// loops finish from there).
    @inline(__always)
    static func simdStringRun(_ p: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        var j = start
        // Most keys and short values end inside the first 16 bytes.
        if j &+ 16 <= end {
            let stops = JSONSIMD.stringStops16(p, j)
            if stops != 0 { return j &+ stops.trailingZeroBitCount }
            j &+= 16
        } else {
            return j
        }
        while j &+ 64 <= end {
            let stops = JSONSIMD.stringStops64(p, j)
            if stops != 0 { return j &+ stops.trailingZeroBitCount }
            j &+= 64
        }
        while j &+ 16 <= end {
            let stops = JSONSIMD.stringStops16(p, j)
            if stops != 0 { return j &+ stops.trailingZeroBitCount }
            j &+= 16
        }
        return j
    }

    /// The SIMD form of `scanNumberFast`: the same contract (a whole, valid number and the byte that ends it,
    /// all before `end`, else `nil` with `state` untouched), with digit runs found in one 32-byte mask.
    /// Falls back to `scanNumberFast` when fewer than 32 bytes remain or a run fills the mask.
    @inline(__always)
    static func scanNumberSIMD(_ p: UnsafePointer<UInt8>, from: Int, end: Int, state: inout NumberState) -> Int? {
        guard from &+ 32 <= end else { return Self.scanNumberFast(p, from: from, end: end, state: &state) }
        let digits = JSONSIMD.digits32(p, from)
        let nonDigits = ~digits  // bits 32... are set: a run never reads past the mask
        var k = p[from] == 0x2D ? 1 : 0
        let first = p[from &+ k]
        if first == 0x30 {
            k &+= 1
        } else if first &- 0x31 < 9 {
            k = (nonDigits &>> UInt64(k)).trailingZeroBitCount &+ k
        } else {
            return nil
        }
        // Runs that reach the end of the mask may go on: the scalar form rescans those numbers.
        guard k < 29 else { return Self.scanNumberFast(p, from: from, end: end, state: &state) }
        var result = NumberState.integer
        if p[from &+ k] == 0x2E {
            k &+= 1
            let run = (nonDigits &>> UInt64(k)).trailingZeroBitCount
            guard run > 0 else { return nil }
            k &+= run
            guard k < 29 else { return Self.scanNumberFast(p, from: from, end: end, state: &state) }
            result = .fraction
        }
        if p[from &+ k] | 0x20 == 0x65 {
            k &+= 1
            if p[from &+ k] == 0x2B || p[from &+ k] == 0x2D { k &+= 1 }
            let run = (nonDigits &>> UInt64(k)).trailingZeroBitCount
            guard run > 0 else { return nil }
            k &+= run
            // The byte that ends the number must be inside the mask.
            guard k < 32 else { return Self.scanNumberFast(p, from: from, end: end, state: &state) }
            result = .exponent
        }
        state = result
        return from &+ k
    }

    /// Skips the whitespace run that starts with the newline at `start` (64 readable bytes), counting its
    /// newlines. Returns the index of the first byte after the run, or `start + 64` if the run goes on.
    @inline(__always)
    mutating func simdSkipWhitespace(_ p: UnsafePointer<UInt8>, from start: Int, base: Int) -> Int {
        let (whitespace, newlines) = JSONSIMD.whitespace64(p, start)
        let run = (~whitespace).trailingZeroBitCount
        let inRun = run == 64 ? newlines : newlines & ((1 &<< UInt64(run)) &- 1)
        // The run starts with a newline, so `inRun` is not zero.
        newlineCount &+= inRun.nonzeroBitCount
        lastNewline = base &+ start &+ (63 &- inRun.leadingZeroBitCount)
        return start &+ run
    }
}
