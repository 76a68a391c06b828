import CSluiceSIMD

/// Byte classification 16 to 64 bytes at a time, for the token reader's SIMD scan path.
///
/// Each function compares a run of bytes at once in vector registers and packs the result into a bit mask:
/// bit `k` describes byte `start + k`. The compares and the packing (`pmovmskb` on x86-64) are in
/// `CSluiceSIMD`'s header as static inline functions, because Swift's SIMD types have no "move mask" operation
/// and every pure-Swift packing measured slower than the SWAR scalar path. Callers must guarantee that the
/// bytes read lie inside the window.
enum JSONSIMD {
    /// Bit `k` set when byte `start + k` (k < 16) stops a string scan: `"`, `\`, a control or non-ASCII byte.
    @inline(__always)
    static func stringStops16(_ p: UnsafePointer<UInt8>, _ start: Int) -> UInt64 {
        UInt64(sluice_string_stops16(p + start))
    }

    /// The same as `stringStops16` for 64 bytes.
    @inline(__always)
    static func stringStops64(_ p: UnsafePointer<UInt8>, _ start: Int) -> UInt64 {
        let q = p + start
        return UInt64(sluice_string_stops16(q)) | UInt64(sluice_string_stops16(q + 16)) &<< 16
            | UInt64(sluice_string_stops16(q + 32)) &<< 32 | UInt64(sluice_string_stops16(q + 48)) &<< 48
    }

    /// Bit `k` set when byte `start + k` (k < 32) is an ASCII digit; bits 32... are clear.
    @inline(__always)
    static func digits32(_ p: UnsafePointer<UInt8>, _ start: Int) -> UInt64 {
        UInt64(sluice_digits16(p + start)) | UInt64(sluice_digits16(p + start + 16)) &<< 16
    }

    /// Whitespace and newline bits for the 64 bytes at `start`.
    @inline(__always)
    static func whitespace64(_ p: UnsafePointer<UInt8>, _ start: Int) -> (whitespace: UInt64, newlines: UInt64) {
        let q = p + start
        var n0: UInt32 = 0
        var n1: UInt32 = 0
        var n2: UInt32 = 0
        var n3: UInt32 = 0
        let w0 = UInt64(sluice_whitespace16(q, &n0))
        let w1 = UInt64(sluice_whitespace16(q + 16, &n1))
        let w2 = UInt64(sluice_whitespace16(q + 32, &n2))
        let w3 = UInt64(sluice_whitespace16(q + 48, &n3))
        let whitespace = w0 | w1 &<< 16 | w2 &<< 32 | w3 &<< 48
        let newlines = UInt64(n0) | UInt64(n1) &<< 16 | UInt64(n2) &<< 32 | UInt64(n3) &<< 48
        return (whitespace, newlines)
    }
}
