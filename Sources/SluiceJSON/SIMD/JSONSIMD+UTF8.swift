import CSluiceSIMD

/// UTF-8 validation of 32 bytes at once, in the bit domain.
///
/// Every byte is classified with vector compares (continuation, 2-, 3- and 4-byte leads, the four leads whose
/// second byte has a narrower range, and the two narrower continuation ranges), the classes are packed into
/// 32-bit masks, and the rules of RFC 3629 become shifts and ANDs: the positions a lead claims must be exactly
/// the continuation bytes, no invalid lead appears, and the second byte after E0, ED, F0 and F4 is in range.
extension JSONSIMD {
    /// The outcome of validating string content from a sequence boundary.
    enum UTF8Run {
        /// The first `count` bytes are complete, valid UTF-8 sequences ending at a sequence boundary
        /// (`count > 0`); the byte after them is a string stop byte or not yet validated.
        case valid(count: Int)
        /// Something in the window needs the scalar validator (an error, or a sequence cut by a quote):
        /// it reports the exact byte.
        case needsScalar
    }

    /// Validates the string content at `start` (a sequence boundary; 32 readable bytes), up to the first
    /// `"`, `\` or control byte in the window, or to the last sequence that ends inside the window.
    @inline(__always)
    static func validateUTF8(_ p: UnsafePointer<UInt8>, _ start: Int) -> UTF8Run {
        let low = sluice_utf8_classify16(p + start)
        let high = sluice_utf8_classify16(p + start + 16)
        @inline(__always) func join(_ a: UInt32, _ b: UInt32) -> UInt64 { UInt64(a) | UInt64(b) &<< 16 }
        let nonASCII = join(low.nonASCII, high.nonASCII)
        let continuation = join(low.continuation, high.continuation)
        let lead2 = join(low.lead2, high.lead2)
        let lead3 = join(low.lead3, high.lead3)
        let lead4 = join(low.lead4, high.lead4)
        let e0 = join(low.e0, high.e0)
        let ed = join(low.ed, high.ed)
        let f0 = join(low.f0, high.f0)
        let f4 = join(low.f4, high.f4)
        let below90 = join(low.below90, high.below90)
        let belowA0 = join(low.belowA0, high.belowA0)
        // Quotes, backslashes and control bytes end the run (the string, or an escape the caller handles).
        let ends = join(low.ends, high.ends)

        let needed = (lead2 | lead3 | lead4) &<< 1 | (lead3 | lead4) &<< 2 | lead4 &<< 3
        var errors = (needed ^ continuation) | (nonASCII & ~continuation & ~lead2 & ~lead3 & ~lead4)
        errors |= (e0 &<< 1) & belowA0
        errors |= (ed &<< 1) & continuation & ~belowA0
        errors |= (f0 &<< 1) & below90
        errors |= (f4 &<< 1) & continuation & ~below90

        if ends != 0 {
            // Everything before the first end byte must be complete and valid.
            let stop = ends.trailingZeroBitCount
            let inside: UInt64 = (1 &<< UInt64(stop)) &- 1
            // A sequence still needing bytes at `stop` is cut by the end byte: an error the scalar path reports.
            if errors & (inside | (1 &<< UInt64(stop))) != 0 { return .needsScalar }
            return stop > 0 ? .valid(count: stop) : .needsScalar
        }
        // No end byte: keep the sequences that finish inside the window (bits 0...31).
        let window: UInt64 = 0xFFFF_FFFF
        let cut = (lead2 & 0x8000_0000) | (lead3 & 0xC000_0000) | (lead4 & 0xE000_0000)
        let count = cut != 0 ? cut.trailingZeroBitCount : 32
        // The byte at `count` (a lead) is checked too: an earlier sequence may claim it.
        let checked: UInt64 = count == 32 ? window : (1 &<< UInt64(count &+ 1)) &- 1
        if errors & window & checked != 0 { return .needsScalar }
        return count > 0 ? .valid(count: count) : .needsScalar
    }
}
