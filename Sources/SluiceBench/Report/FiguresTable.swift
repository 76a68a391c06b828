/// The README's "Current figures" table: for each benchmark that declares a peer (`Benchmark.peer`), our median,
/// the peer's median from the same results file, and the ratio.
///
/// The figure compared is the first metric both results have, in this order: bytes/s, items/s, wall time
/// (bytes first, because a parser's "item" is a whole file while its peer's may be counted differently).
/// The ratio always reads "how many times better we are": ours ÷ peer's for rates, peer's ÷ ours for times.
public struct FiguresTable: Sendable {
    /// One pair.
    public struct Row: Sendable, Hashable {
        /// Our benchmark.
        public var benchmark: String
        /// Its declared peer.
        public var peer: String
        /// The metric compared; nil when the pair has no metric in common (see `problem`).
        public var metric: BenchmarkMetric?
        /// Our median.
        public var ours: Double?
        /// The peer's median.
        public var theirs: Double?
        /// Times better than the peer (> 1: we are faster).
        public var ratio: Double?
        /// Why the pair has no figure (missing, failed or without a common metric), nil when it has one.
        public var problem: String?
        /// For a scale-out pair (items/s, with `server_cpu_per_item` in ours): the most the ratio could be if our
        /// run kept the server's single thread busy all the time, `1 / (ours' server CPU per item × the peer's
        /// rate)`. Nil otherwise.
        public var serverCeiling: Double?
        /// The same for the machine's CPUs, with `nodes_cpu_per_item` too: `cores / ((ours' nodes + server CPU per
        /// item) × the peer's rate)`. Nil otherwise.
        public var cpuCeiling: Double?
    }

    /// The rows, sorted by benchmark name.
    public var rows: [Row]

    /// The metrics compared, in order of preference.
    public static let preferredMetrics: [BenchmarkMetric] = [.throughputBytes, .throughputItems, .wallTime]

    /// Pairs the results in `results` by the peers `registry` declares. O(benchmarks × metrics).
    public init(results: ResultsFile, registry: BenchmarkRegistry = .standard) {
        var byName: [String: BenchmarkResult] = [:]
        for result in results.benchmarks { byName[result.name] = result }
        let cores = results.environment.coreCount
        rows = results.benchmarks.map(\.name).sorted().compactMap { name in
            guard let peer = registry.benchmark(named: name)?.peer else { return nil }
            var row = Self.row(name, ours: byName[name], peer: peer, theirs: byName[peer])
            if row.metric == .throughputItems, let rate = row.theirs, let ours = byName[name],
                let server = Self.median(ours, .serverCPUPerItem), server > 0
            {
                row.serverCeiling = 1e9 / (server * rate)
                if let nodes = Self.median(ours, .nodesCPUPerItem), cores > 0 {
                    row.cpuCeiling = Double(cores) * 1e9 / ((nodes + server) * rate)
                }
            }
            return row
        }
    }

    /// One line per scale-out pair under the table: the ceilings its CPU figures give and how much of the
    /// server's the measured ratio reached.
    public var ceilingNotes: [String] {
        rows.compactMap { row in
            guard let server = row.serverCeiling, let ratio = row.ratio else { return nil }
            let cpus = row.cpuCeiling.map { ", the CPUs \(Self.times($0))" } ?? ""
            let share = ReportNumberFormat.fixed(100 * ratio / server, decimals: 0)
            return "\(row.benchmark) against \(row.peer): ceilings from the run's CPU per item: the server's thread "
                + "\(Self.times(server))\(cpus); measured \(Self.times(ratio)), \(share) % of the server's ceiling"
        }
    }

    static func times(_ value: Double) -> String {
        ReportNumberFormat.trimmed(ReportNumberFormat.fixed(value, decimals: value >= 10 ? 1 : 2)) + "×"
    }

    static func median(_ result: BenchmarkResult, _ metric: BenchmarkMetric) -> Double? {
        guard result.status == .passed else { return nil }
        return result.metrics.first { $0.metric == metric && $0.unavailableReason == nil }?.summary?.p50
    }

    static func row(_ name: String, ours: BenchmarkResult?, peer: String, theirs: BenchmarkResult?) -> Row {
        var row = Row(benchmark: name, peer: peer)
        guard let ours, ours.status == .passed else {
            row.problem = "\(name) \(ours == nil ? "is not in the results" : "did not pass")"
            return row
        }
        guard let theirs, theirs.status == .passed else {
            row.problem = "peer \(peer) \(theirs == nil ? "is not in the results" : "did not pass")"
            return row
        }
        for metric in preferredMetrics {
            guard let our = median(ours, metric), let their = median(theirs, metric), our > 0, their > 0 else {
                continue
            }
            row.metric = metric
            row.ours = our
            row.theirs = their
            row.ratio = metric.direction == .higherIsBetter ? our / their : their / our
            return row
        }
        row.problem = "no metric in common (bytes/s, items/s or wall time)"
        return row
    }

    /// The table in GitHub Markdown.
    public func markdown() -> String {
        var lines = [
            "| benchmark | ours | peer | peer's | ratio |",
            "|---|---:|---|---:|---:|",
        ]
        for row in rows {
            lines.append(
                "| `\(row.benchmark)` | \(Self.format(row.ours, row.metric)) | `\(row.peer)` | "
                    + "\(Self.format(row.theirs, row.metric)) | \(Self.formatRatio(row)) |")
        }
        let notes = ceilingNotes
        if !notes.isEmpty { lines += [""] + notes.map { "- " + $0 } }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The table as aligned plain text.
    public func text() -> String {
        let header = ["benchmark", "ours", "peer", "peer's", "ratio"]
        let body = rows.map {
            [
                $0.benchmark, Self.format($0.ours, $0.metric), $0.peer, Self.format($0.theirs, $0.metric),
                Self.formatRatio($0),
            ]
        }
        let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }
        let notes = ceilingNotes
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + body.map(line)
            + (notes.isEmpty ? [] : [""] + notes)).joined(separator: "\n") + "\n"
    }

    static func formatRatio(_ row: Row) -> String {
        guard let ratio = row.ratio else { return row.problem ?? "-" }
        return times(ratio)
    }

    /// A median with its unit: `12.3 M items/s`, `45.6 MB/s`, `1.23 ms`.
    static func format(_ value: Double?, _ metric: BenchmarkMetric?) -> String {
        guard let value, let metric else { return "-" }
        switch metric {
        case .throughputItems: return scaled(value, ["", "K", "M", "G"], 1_000) + " items/s"
        case .throughputBytes: return scaled(value / 1_000_000, [""], 1_000) + " MB/s"
        default:
            if value >= 1e9 { return scaled(value / 1e9, [""], 1_000) + " s" }
            if value >= 1e6 { return scaled(value / 1e6, [""], 1_000) + " ms" }
            if value >= 1e3 { return scaled(value / 1e3, [""], 1_000) + " µs" }
            return scaled(value, [""], 1_000) + " ns"
        }
    }

    /// `value` with 3 significant digits and the largest prefix that keeps it at or above 1.
    static func scaled(_ value: Double, _ prefixes: [String], _ step: Double) -> String {
        var value = value
        var index = 0
        while value >= step && index + 1 < prefixes.count {
            value /= step
            index += 1
        }
        let decimals = value >= 100 ? 0 : (value >= 10 ? 1 : 2)
        let number = ReportNumberFormat.trimmed(ReportNumberFormat.fixed(value, decimals: decimals))
        return prefixes[index].isEmpty ? number : "\(number) \(prefixes[index])"
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var result = Substring(self)
        while result.hasSuffix(" ") { result = result.dropLast() }
        return String(result)
    }
}
