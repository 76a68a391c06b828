/// Byte-class tricks on 8 bytes at a time (SIMD within a register) used by the tokenizer's hot loops.
///
/// Words are little-endian loads, so the lowest set bit of a mask marks the first matching byte.
enum JSONSWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// High bit set in the first byte that is zero (bits above the first hit may be spurious).
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highs }

    /// Marks the bytes a string scanner must stop at: `"`, `\`, control bytes and non-ASCII bytes.
    /// Only the lowest set bit is exact.
    @inline(__always)
    static func stringSpecialMask(_ word: UInt64) -> UInt64 {
        let quotes = zeroBytes(word ^ 0x2222_2222_2222_2222)
        let backslashes = zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C)
        let controls = (word &- 0x2020_2020_2020_2020) & ~word & highs
        return quotes | backslashes | controls | (word & highs)
    }

    /// High bit set in exactly the bytes that are not ASCII digits, up to the first one
    /// (bits after the first non-digit may be spurious).
    @inline(__always)
    static func nonDigitMask(_ word: UInt64) -> UInt64 {
        let highNibble = (word & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030
        let lowNibble = ((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030
        let differing = highNibble | lowNibble
        return (differing | ((differing & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F)) & highs
    }

    /// Skips plain string content 8 bytes at a time from `start`: returns the index of the first quote, backslash,
    /// control or non-ASCII byte found in a whole word before `end`, or the first index from which fewer than 8
    /// bytes remain (the caller checks the bytes from there one at a time).
    @inline(__always)
    static func skipPlainStringWords(_ p: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        var i = start
        while i &+ 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            let special = stringSpecialMask(word)
            if special != 0 { return i &+ special.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
        return i
    }

    /// The index of the first byte at or after `start` (and before `end`) that is not an ASCII digit,
    /// or `end`.
    @inline(__always)
    static func skipDigits(_ p: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        var i = start
        while i &+ 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            let mask = nonDigitMask(word)
            if mask != 0 { return i &+ mask.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
        while i < end && p[i] &- 0x30 < 10 { i &+= 1 }
        return i
    }

    /// The value of a hex digit, or -1.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int {
        let digit = Int(byte) &- 0x30
        if digit >= 0 && digit < 10 { return digit }
        let letter = Int(byte | 0x20) &- 0x61
        if letter >= 0 && letter < 6 { return letter &+ 10 }
        return -1
    }

    /// Whether `byte` would extend a complete number in state `state`.
    static func continuesNumber(_ byte: UInt8, _ state: JSONTokenReader.NumberState) -> Bool {
        let isDigit = byte &- 0x30 < 10
        let isExponent = byte | 0x20 == 0x65
        switch state {
        case .integer: return isDigit || isExponent || byte == 0x2E
        case .zero: return isExponent || byte == 0x2E
        case .fraction: return isDigit || isExponent
        default: return isDigit
        }
    }

    /// The UTF-8 sequence a lead byte (>= 0x80) starts: its length and the range its second byte must lie in
    /// (shortest form, no surrogates, at most U+10FFFF; later bytes are plain continuation bytes); nil for a
    /// byte that cannot lead a sequence.
    @inline(__always)
    static func utf8Sequence(lead: UInt8) -> (length: Int, low: UInt8, high: UInt8)? {
        switch lead {
        case 0xC2...0xDF: (2, 0x80, 0xBF)
        case 0xE0: (3, 0xA0, 0xBF)
        case 0xED: (3, 0x80, 0x9F)
        case 0xE1...0xEF: (3, 0x80, 0xBF)
        case 0xF0: (4, 0x90, 0xBF)
        case 0xF4: (4, 0x80, 0x8F)
        case 0xF1...0xF3: (4, 0x80, 0xBF)
        default: nil
        }
    }
}
