#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// On-demand decoding of spans. Every member requires the span to come from this reader and to be
// still valid: handed out by `read(into:)` since the last `feed`. Passing any other span is a
// programmer error (a precondition failure), never undefined behaviour.

extension JSONTokenReader {
    /// Calls `body` with the raw bytes of `span` (for strings: still escaped, without the quotes).
    ///
    /// The pointer is valid only inside `body`. O(1).
    public func withBytes<Result>(
        of span: JSONSpan, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        let start = span.offset &- storageBase
        precondition(
            start >= 0 && span.length >= 0 && start &+ span.length <= storage.count,
            "JSONSpan is no longer valid: it was read before the last feed")
        let bytes = storage
        return try bytes.withUnsafeBytes { window in
            try body(UnsafeRawBufferPointer(rebasing: window[start..<(start &+ span.length)]))
        }
    }

    /// The unescaped text of a string or key span. O(span length). Never fails: the bytes were validated.
    public func string(for span: JSONSpan) -> String {
        withBytes(of: span) { raw in
            // An empty span may have no base address; decode nothing then.
            guard let base = raw.baseAddress, raw.count > 0 else { return "" }
            return JSONStringDecoder.decode(
                base.assumingMemoryBound(to: UInt8.self), count: raw.count, escaped: span.flag)
        }
    }

    /// Whether the string or key span equals `text` once unescaped. O(span length); no allocation
    /// when the span has no escapes.
    public func string(for span: JSONSpan, equals text: String) -> Bool {
        if span.flag { return string(for: span) == text }
        var text = text
        return text.withUTF8 { expected in
            withBytes(of: span) { raw in raw.elementsEqual(expected) }
        }
    }

    /// The exact source text of a number span, such as `-1.5e3`. O(span length).
    public func numberText(for span: JSONSpan) -> String {
        withBytes(of: span) { String(decoding: $0, as: UTF8.self) }
    }

    /// The number span as an `Int64`, or `nil` if it has a fraction or exponent or does not fit.
    /// O(span length).
    public func int64(for span: JSONSpan) -> Int64? {
        if span.flag { return nil }
        return withBytes(of: span) { raw in JSONNumberParser.int64(raw) }
    }

    /// The number span as the nearest `Double` (correctly rounded; out-of-range values become ±infinity).
    /// O(span length).
    public func double(for span: JSONSpan) -> Double {
        withBytes(of: span) { raw in JSONNumberParser.double(raw) }
    }

    /// The number span as a `JSONNumber`: `.int` when it is an integer that fits in `Int64`,
    /// `.bigInteger` for a larger integer, else `.double`. O(span length).
    public func number(for span: JSONSpan) -> JSONNumber {
        withBytes(of: span) { raw in JSONNumberParser.number(raw, isInteger: !span.flag) }
    }
}

/// Converts validated JSON number text into Swift numbers.
enum JSONNumberParser {
    /// Parses an integer's text; `nil` when it overflows `Int64`.
    @inline(__always)
    static func int64(_ raw: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        let negative = raw.first == 0x2D
        if negative { i = 1 }
        // Accumulate negatively so that Int64.min fits.
        var value: Int64 = 0
        while i < raw.count {
            let digit = Int64(raw[i] &- 0x30)
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.subtractingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = next
            i &+= 1
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// The nearest `Double` to the number's text.
    ///
    /// Falls back to the C library's `strtod` (correctly rounded), which assumes the process keeps the
    /// default "C" numeric locale, as Swift programs do unless they call `setlocale`.
    static func double(_ raw: UnsafeRawBufferPointer) -> Double {
        if let fast = clingerFastPath(raw) { return fast }
        // strtod needs a NUL-terminated copy; numbers are short, so use the stack.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: raw.count &+ 1) { text in
            for k in 0..<raw.count { text[k] = CChar(bitPattern: raw[k]) }
            text[raw.count] = 0
            return strtod(text.baseAddress!, nil)  // capacity >= 1, so non-nil
        }
    }

    static func number(_ raw: UnsafeRawBufferPointer, isInteger: Bool) -> JSONNumber {
        if isInteger {
            if let value = int64(raw) { return .int(value) }
            return .bigInteger(String(decoding: raw, as: UTF8.self))
        }
        return .double(double(raw))
    }

    /// Exact conversion when the significand has at most 15 digits and the decimal exponent is small:
    /// both are exactly representable, so one multiplication or division rounds correctly.
    @inline(__always)
    static func clingerFastPath(_ raw: UnsafeRawBufferPointer) -> Double? {
        var i = 0
        let count = raw.count
        let negative = raw[0] == 0x2D
        if negative { i = 1 }
        var significand: UInt64 = 0
        var digits = 0
        var exponent = 0
        while i < count, raw[i] &- 0x30 < 10 {
            significand = significand &* 10 &+ UInt64(raw[i] &- 0x30)
            if significand != 0 { digits &+= 1 }
            i &+= 1
        }
        if i < count && raw[i] == 0x2E {
            i &+= 1
            while i < count, raw[i] &- 0x30 < 10 {
                significand = significand &* 10 &+ UInt64(raw[i] &- 0x30)
                if significand != 0 { digits &+= 1 }
                exponent &-= 1
                i &+= 1
            }
        }
        if i < count {
            // Exponent part: e|E [+|-] digits.
            i &+= 1
            var exponentNegative = false
            if raw[i] == 0x2D || raw[i] == 0x2B {
                exponentNegative = raw[i] == 0x2D
                i &+= 1
            }
            var value = 0
            while i < count {
                if value > 10_000 { return nil }
                value = value &* 10 &+ Int(raw[i] &- 0x30)
                i &+= 1
            }
            exponent &+= exponentNegative ? -value : value
        }
        guard digits <= 15, exponent >= -22, exponent <= 22 else { return nil }
        var result = Double(significand)
        if exponent < 0 { result /= powersOfTen[-exponent] } else { result *= powersOfTen[exponent] }
        return negative ? -result : result
    }

    static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}
