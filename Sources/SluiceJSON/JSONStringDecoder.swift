/// Turns the validated bytes of a JSON string (between the quotes) into a Swift `String`.
///
/// The token reader has already checked the escapes and the UTF-8, so decoding cannot fail.
enum JSONStringDecoder {
    /// Decodes `count` bytes at `p`; `escaped` says whether any backslash escape is present. O(count).
    static func decode(_ p: UnsafePointer<UInt8>, count: Int, escaped: Bool) -> String {
        let bytes = UnsafeBufferPointer(start: p, count: count)
        guard escaped else { return String(decoding: bytes, as: UTF8.self) }
        // Unescaped text is never longer than its escaped form.
        return String(unsafeUninitializedCapacity: count) { output in
            unescape(bytes, into: output)
        }
    }

    /// Writes the unescaped UTF-8 of validated string bytes into `output`; returns the byte count.
    static func unescape(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var i = 0
        var o = 0
        let count = input.count
        while i < count {
            let c = input[i]
            guard c == 0x5C else {
                output[o] = c
                o &+= 1
                i &+= 1
                continue
            }
            let e = input[i &+ 1]
            i &+= 2
            let simple: UInt8
            switch e {
            case 0x62: simple = 0x08  // b
            case 0x66: simple = 0x0C  // f
            case 0x6E: simple = 0x0A  // n
            case 0x72: simple = 0x0D  // r
            case 0x74: simple = 0x09  // t
            case 0x75:  // u
                var scalar = UInt32(hex(input, at: i))
                i &+= 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    // Validation guarantees a following `\uDC00`-`\uDFFF`.
                    let low = UInt32(hex(input, at: i &+ 2))
                    i &+= 6
                    scalar = 0x10000 &+ ((scalar &- 0xD800) &<< 10) &+ (low &- 0xDC00)
                }
                o = writeUTF8(scalar, into: output, at: o)
                continue
            default: simple = e  // " \ /
            }
            output[o] = simple
            o &+= 1
        }
        return o
    }

    @inline(__always)
    static func hex(_ input: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        var value = 0
        for k in 0..<4 { value = value &<< 4 | JSONSWAR.hexValue(input[index &+ k]) }
        return value
    }

    @inline(__always)
    static func writeUTF8(_ scalar: UInt32, into output: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var o = start
        if scalar < 0x80 {
            output[o] = UInt8(scalar)
            return o &+ 1
        }
        if scalar < 0x800 {
            output[o] = UInt8(0xC0 | scalar >> 6)
            output[o &+ 1] = UInt8(0x80 | scalar & 0x3F)
            return o &+ 2
        }
        if scalar < 0x10000 {
            output[o] = UInt8(0xE0 | scalar >> 12)
            o &+= 1
        } else {
            output[o] = UInt8(0xF0 | scalar >> 18)
            output[o &+ 1] = UInt8(0x80 | (scalar >> 12) & 0x3F)
            o &+= 2
        }
        output[o] = UInt8(0x80 | (scalar >> 6) & 0x3F)
        output[o &+ 1] = UInt8(0x80 | scalar & 0x3F)
        return o &+ 2
    }
}
