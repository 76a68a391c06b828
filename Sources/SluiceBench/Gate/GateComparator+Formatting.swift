#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension GateComparator {
    /// A number with up to 4 significant decimals, without trailing zeros (`12`, `0.5`, `540001`).
    static func format(_ value: Double) -> String {
        ReportNumberFormat.plain(value)
    }

    /// A signed number: `+1`, `-0.25`.
    static func formatSigned(_ value: Double) -> String {
        (value > 0 ? "+" : "") + ReportNumberFormat.plain(value)
    }

    /// A fraction as a percentage: `0.1` → `10 %`.
    static func formatPercent(_ fraction: Double) -> String {
        ReportNumberFormat.percent(fraction)
    }

    /// A signed fraction as a percentage: `0.1` → `+10 %`, `-0.02` → `-2 %`.
    static func formatSignedPercent(_ fraction: Double) -> String {
        ReportNumberFormat.signedPercent(fraction)
    }
}
