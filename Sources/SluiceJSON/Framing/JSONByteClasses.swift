#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
import _Builtin_intrinsics.intel
#endif

/// Bit masks over 64-byte blocks: bit `k` of a mask describes byte `k` of the block.
///
/// On x86-64 this is `pcmpeqb` + `pmovmskb` (SSE2, always present); elsewhere a portable
/// multiply trick packs the comparison lanes into bits.
enum JSONByteClasses {
    /// The masks of one 64-byte block that the structural scanner needs.
    struct Block {
        var quotes: UInt64
        var backslashes: UInt64
        var opens: UInt64
        var closes: UInt64
    }

    /// Classifies the 64 bytes at `pointer` (which need not be aligned).
    @inline(__always)
    static func block(_ pointer: UnsafeRawPointer) -> Block {
        var result = Block(quotes: 0, backslashes: 0, opens: 0, closes: 0)
        for lane in 0..<4 {
            let bytes = pointer.loadUnaligned(fromByteOffset: lane &* 16, as: SIMD16<UInt8>.self)
            let folded = bytes | SIMD16(repeating: 0x20)  // `[` -> `{`, `]` -> `}`
            let shift = UInt64(lane &* 16)
            result.quotes |= bits(bytes .== SIMD16(repeating: UInt8(ascii: "\""))) << shift
            result.backslashes |= bits(bytes .== SIMD16(repeating: UInt8(ascii: "\\"))) << shift
            result.opens |= bits(folded .== SIMD16(repeating: UInt8(ascii: "{"))) << shift
            result.closes |= bits(folded .== SIMD16(repeating: UInt8(ascii: "}"))) << shift
        }
        return result
    }

    /// The mask of bytes equal to `byte` in the 64 bytes at `pointer`.
    @inline(__always)
    static func mask(_ pointer: UnsafeRawPointer, equalTo byte: UInt8) -> UInt64 {
        var result: UInt64 = 0
        for lane in 0..<4 {
            let bytes = pointer.loadUnaligned(fromByteOffset: lane &* 16, as: SIMD16<UInt8>.self)
            result |= bits(bytes .== SIMD16(repeating: byte)) << UInt64(lane &* 16)
        }
        return result
    }

    /// Packs a 16-lane comparison into the low 16 bits of a word.
    @inline(__always)
    static func bits(_ mask: SIMDMask<SIMD16<Int8>>) -> UInt64 {
        #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
        return UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(unsafeBitCast(mask, to: __m128i.self))))
        #else
        // Each lane becomes 0 or 1; the multiply gathers byte i's bit to bit 56 + i with no carries
        // (every partial product lands on a distinct bit), so the top byte holds the 8 lanes.
        let ones = unsafeBitCast(mask, to: SIMD16<UInt8>.self) & SIMD16(repeating: 1)
        let words = unsafeBitCast(ones, to: SIMD2<UInt64>.self)
        let low = (words[0] &* 0x0102_0408_1020_4080) >> 56
        let high = (words[1] &* 0x0102_0408_1020_4080) >> 56
        return low | (high << 8)
        #endif
    }

    /// Bit `k` is set when byte `k` is preceded by an odd run of backslashes (it is escaped).
    ///
    /// `carry` says whether the byte before the block escapes the block's first byte; it is updated
    /// for the next block. This is simdjson's branch-free odd-run detection.
    @inline(__always)
    static func escaped(_ backslashes: UInt64, carry: inout Bool) -> UInt64 {
        let previous: UInt64 = carry ? 1 : 0
        if backslashes == 0 {
            carry = false
            return previous
        }
        let evenBits: UInt64 = 0x5555_5555_5555_5555
        let escapes = backslashes & ~previous
        let followsEscape = (escapes << 1) | previous
        let oddSequenceStarts = escapes & ~evenBits & ~followsEscape
        let (sequencesStartingOnEvenBits, overflow) = oddSequenceStarts.addingReportingOverflow(escapes)
        carry = overflow
        let invertMask = sequencesStartingOnEvenBits << 1
        return (evenBits ^ invertMask) & followsEscape
    }

    /// Bit `k` is the XOR of bits `0...k`: turns quote positions into "inside a string" ranges.
    @inline(__always)
    static func prefixXor(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x << 1
        x ^= x << 2
        x ^= x << 4
        x ^= x << 8
        x ^= x << 16
        x ^= x << 32
        return x
    }
}
