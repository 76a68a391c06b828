#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Number formatting shared by notes and reports: locale-free and deterministic, so snapshots are stable.
enum ReportNumberFormat {
    /// A number for people: whole from 10 000 up, else to about 4 significant digits, without trailing zeros.
    static func plain(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        let magnitude = abs(value)
        if magnitude >= 10_000 {
            return String(Int64(value.rounded()))
        }
        let digits = magnitude >= 1000 ? 1 : (magnitude >= 1 ? 3 : max(3, 3 - Int(log10(magnitude).rounded(.down))))
        return trimmed(fixed(value, decimals: min(digits, 9)))
    }

    /// A fraction as a percentage: one decimal from 0.05 % up (`0.1234` → `12.3 %`), three significant digits
    /// below (`0.00000185` → `0.000185 %`), so that one allocation in 540 000 does not read as 0 %.
    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        guard value.isFinite else { return plain(value) + " %" }
        let magnitude = abs(value)
        if magnitude >= 0.05 || magnitude == 0 {
            return trimmed(fixed(value, decimals: 1)) + " %"
        }
        let decimals = min(12, Int(-log10(magnitude).rounded(.down)) + 2)
        return trimmed(fixed(value, decimals: decimals)) + " %"
    }

    /// A signed fraction as a percentage: `+12.3 %`, `-2 %`, `+0.000185 %`, `0 %`.
    static func signedPercent(_ fraction: Double) -> String {
        let text = percent(fraction)
        return fraction > 0 ? "+" + text : text
    }

    /// `value` with exactly `decimals` decimals, rounded half away from zero.
    static func fixed(_ value: Double, decimals: Int) -> String {
        let scale = pow(10, Double(decimals))
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        let whole = (scaled / scale).rounded(.towardZero)
        let fraction = scaled - whole * scale
        guard decimals > 0 else { return sign + String(Int64(whole)) }
        var fractionText = String(Int64(fraction))
        fractionText = String(repeating: "0", count: max(0, decimals - fractionText.count)) + fractionText
        return sign + String(Int64(whole)) + "." + fractionText
    }

    /// Drops trailing zeros and a trailing point: `1.500` → `1.5`, `2.000` → `2`.
    static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = Substring(text)
        while result.hasSuffix("0") { result = result.dropLast() }
        if result.hasSuffix(".") { result = result.dropLast() }
        return String(result)
    }
}
