/// The waivers of a suite, checked against "today": an expired waiver is an error, never silently ignored.
public struct WaiverSet: Sendable {
    /// The waivers in force.
    public let waivers: [Waiver]

    /// Checks every waiver against `today` (`YYYY-MM-DD`, injected so that nothing depends on the wall clock).
    ///
    /// Throws `HarnessError.Code.expiredWaiver` for a waiver past its `expires` date (the date itself is still
    /// valid), and `.badInput` for a malformed date or an empty reason.
    public init(_ waivers: [Waiver]?, today: String, file: String?) throws(HarnessError) {
        let waivers = waivers ?? []
        guard let todayDate = CalendarDate(today) else {
            throw HarnessError(.badInput, "today's date '\(today)' is not YYYY-MM-DD")
        }
        for (index, waiver) in waivers.enumerated() {
            let field = "waivers[\(index)]"
            guard let expiry = CalendarDate(waiver.expires) else {
                throw HarnessError(.badInput, "expiry '\(waiver.expires)' is not a date (YYYY-MM-DD)", file: file,
                                field: field + ".expires")
            }
            guard !waiver.reason.allSatisfy(\.isWhitespace) else {
                throw HarnessError(.badInput, "a waiver needs a reason", file: file, field: field + ".reason")
            }
            if expiry < todayDate {
                throw HarnessError(
                    .expiredWaiver,
                    "the waiver for \(waiver.benchmark) \(waiver.metric.rawValue) expired on \(waiver.expires) "
                        + "(\(waiver.reason)); remove it or renew it with a new date", file: file, field: field)
            }
        }
        self.waivers = waivers
    }

    /// The waiver covering `metric` of `benchmark`, if any.
    public func waiver(benchmark: String, metric: BenchmarkMetric) -> Waiver? {
        waivers.last { $0.metric == metric && GlobPattern($0.benchmark).matches(benchmark) }
    }
}

/// A calendar date `YYYY-MM-DD`, compared field by field (no time zone: the gate compares dates, not instants).
struct CalendarDate: Comparable, Sendable {
    var year: Int
    var month: Int
    var day: Int

    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
