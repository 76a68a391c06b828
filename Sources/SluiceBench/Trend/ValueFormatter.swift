import Foundation

/// Formats metric values for people: nanoseconds as ns/µs/ms/s, bytes as B/KiB/MiB/GiB, other units with
/// three significant digits and the unit after.
package enum ValueFormatter {
    /// A scale for a whole axis, chosen from its largest value, so that every tick uses one unit.
    package struct Scale: Sendable {
        package var divisor: Double
        package var suffix: String
    }

    /// The scale for values in `unit` up to `magnitude`.
    package static func scale(unit: String, magnitude: Double) -> Scale {
        let value = abs(magnitude)
        switch unit {
        case "ns":
            if value >= 1e9 { return Scale(divisor: 1e9, suffix: "s") }
            if value >= 1e6 { return Scale(divisor: 1e6, suffix: "ms") }
            if value >= 1e3 { return Scale(divisor: 1e3, suffix: "µs") }
            return Scale(divisor: 1, suffix: "ns")
        case "bytes", "bytes/op":
            let perOp = unit == "bytes/op" ? "/op" : ""
            let kibi = 1024.0
            if value >= kibi * kibi * kibi { return Scale(divisor: kibi * kibi * kibi, suffix: "GiB" + perOp) }
            if value >= kibi * kibi { return Scale(divisor: kibi * kibi, suffix: "MiB" + perOp) }
            if value >= kibi { return Scale(divisor: kibi, suffix: "KiB" + perOp) }
            return Scale(divisor: 1, suffix: "B" + perOp)
        case "bytes/s":
            if value >= 1e9 { return Scale(divisor: 1e9, suffix: "GB/s") }
            if value >= 1e6 { return Scale(divisor: 1e6, suffix: "MB/s") }
            if value >= 1e3 { return Scale(divisor: 1e3, suffix: "kB/s") }
            return Scale(divisor: 1, suffix: "B/s")
        default:
            if value >= 1e9 { return Scale(divisor: 1e9, suffix: "G " + unit) }
            if value >= 1e6 { return Scale(divisor: 1e6, suffix: "M " + unit) }
            if value >= 1e4 { return Scale(divisor: 1e3, suffix: "k " + unit) }
            return Scale(divisor: 1, suffix: unit)
        }
    }

    /// `value` in `scale`, with three significant digits (more for large numbers, never in exponent form).
    package static func format(_ value: Double, scale: Scale) -> String {
        "\(number(value / scale.divisor)) \(scale.suffix)"
    }

    /// `value` in `unit`, scaled by its own magnitude.
    package static func format(_ value: Double, unit: String) -> String {
        format(value, scale: scale(unit: unit, magnitude: value))
    }

    /// A number with three significant digits and no exponent: 1.23, 12.3, 123, 1234.
    package static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
        let magnitude = abs(value)
        let decimals = magnitude >= 100 || magnitude == 0 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
        let text = String(format: "%.\(decimals)f", value)
        guard decimals > 0 else { return text }
        var trimmed = Substring(text)
        while trimmed.last == "0" { trimmed.removeLast() }
        if trimmed.last == "." { trimmed.removeLast() }
        return String(trimmed)
    }

    /// A signed percentage with one decimal: `+12.3 %`, `-4.0 %`.
    package static func percent(_ fraction: Double) -> String {
        String(format: "%+.1f %%", fraction * 100)
    }
}
