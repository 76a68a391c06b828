/// A suite file in `suites/`: which benchmarks to run, how, what to capture and what the gate allows.
///
/// JSON with a versioned schema. Loading is strict: an unknown field, a wrong type, an unknown benchmark
/// name or a bad schema version is an error that names the file and the field.
public struct SuiteFile: Codable, Sendable {
    /// The schema version this build reads and writes.
    public static let currentSchemaVersion = 1

    /// The tier a suite belongs to (design document, section 6.1).
    public enum Tier: String, Codable, CaseIterable, Sendable {
        /// `micro`: one component; `meso`: a few stages; `macro`: whole pipelines; `soak`: long runs judged by
        /// slopes; `chaos`: fault injection; `mixed`: several tiers (the `pr` and `nightly` suites).
        case micro, meso, macro, soak, chaos, mixed
    }

    /// The suite schema version (`currentSchemaVersion`); a loader refuses any other.
    public var schemaVersion: Int
    /// The suite's name, matching its file name: `pr` for `suites/pr.json`.
    public var name: String
    /// The suite's tier, for people and for `sluice-bench list --suites`.
    public var tier: Tier
    /// What the suite is for, in a sentence: shown by `sluice-bench list --suites`.
    public var description: String?
    /// Default run settings for every benchmark in the suite.
    public var settings: RunSettings
    /// Metrics to capture for every benchmark (stable names, see `BenchmarkMetric`).
    public var metrics: [BenchmarkMetric]
    /// Metrics whose absence is an Observability Gap. Defaults to none.
    public var requiredMetrics: [BenchmarkMetric]?
    /// The benchmarks the suite runs, in order; each name must be registered.
    public var benchmarks: [SuiteBenchmark]
    /// What the gate allows. Omitted: the defaults of the design document.
    public var thresholds: [ThresholdRule]?
    /// Temporary exemptions from thresholds, each with a reason and an expiry date.
    public var waivers: [Waiver]?
    /// Environment-control benchmarks (e.g. `calibration/memory-walk`): measured with every look, never judged.
    /// When the first of them whose wall-time ratio interval excludes 1 moved between the sides, the machine
    /// changed under the run, and the gate normalises the timing lane by it: candidate times are divided by the
    /// control's ratio (rates multiplied) before they are tested, so a machine-wide slowdown raises nothing while
    /// a benchmark that moved well beyond the control still alerts.
    public var calibration: [String]?
}

/// One benchmark entry of a suite.
public struct SuiteBenchmark: Codable, Sendable {
    /// A registered benchmark name, e.g. `micro/tokenize/twitter/chunk4k`.
    public var name: String
    /// Parameters passed to the benchmark (sizes, rates, durations), by name.
    public var parameters: [String: JSONParameter]?
    /// Overrides of the suite's run settings for this benchmark.
    public var settings: RunSettings.Overrides?
    /// Overrides of the suite's metric list for this benchmark.
    public var metrics: [BenchmarkMetric]?
}

/// A parameter value in a suite file.
public enum JSONParameter: Codable, Hashable, Sendable {
    /// A whole number, e.g. `"events": 2000`.
    case int(Int)
    /// A number with a fraction, e.g. `"leakBytesPerSecond": 131072.5`.
    case double(Double)
    /// Text, e.g. `"expect": "leak"`.
    case string(String)
    /// `true` or `false`.
    case bool(Bool)

    /// Decodes a bare JSON value, trying `Bool`, then `Int`, then `Double`, then `String`; anything else throws.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    /// Encodes the bare value (a JSON number, string or boolean), without a case tag.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        }
    }
}

/// How the runner measures a benchmark.
public struct RunSettings: Codable, Hashable, Sendable {
    /// Longest warm-up, in seconds; warm-up stops earlier once timings are stable.
    public var maxWarmupSeconds: Double
    /// Fewest measured rounds; the runner measures at least these.
    public var minRounds: Int
    /// Most measured rounds; the runner stops adding rounds here.
    public var maxRounds: Int
    /// Least time one round takes, in seconds; the runner adds samples until it is reached.
    public var minRoundSeconds: Double
    /// Operations per sample; nil lets the runner scale it so a sample lasts long enough to time.
    public var innerIterations: Int?
    /// Separate worker processes the rounds are spread over (1 = in process).
    public var processes: Int
    /// For soak and chaos tiers: how long the driver runs, in seconds.
    public var durationSeconds: Double?

    /// Creates settings; the defaults are at most 1 s of warm-up, 5 to 10 rounds of at least 0.1 s, in one process.
    public init(
        maxWarmupSeconds: Double = 1, minRounds: Int = 5, maxRounds: Int = 10, minRoundSeconds: Double = 0.1,
        innerIterations: Int? = nil, processes: Int = 1, durationSeconds: Double? = nil
    ) {
        self.maxWarmupSeconds = maxWarmupSeconds
        self.minRounds = minRounds
        self.maxRounds = maxRounds
        self.minRoundSeconds = minRoundSeconds
        self.innerIterations = innerIterations
        self.processes = processes
        self.durationSeconds = durationSeconds
    }

    /// Per-benchmark overrides: any field set replaces the suite's.
    public struct Overrides: Codable, Hashable, Sendable {
        /// Replaces `RunSettings.maxWarmupSeconds`.
        public var maxWarmupSeconds: Double?
        /// Replaces `RunSettings.minRounds`.
        public var minRounds: Int?
        /// Replaces `RunSettings.maxRounds`.
        public var maxRounds: Int?
        /// Replaces `RunSettings.minRoundSeconds`.
        public var minRoundSeconds: Double?
        /// Replaces `RunSettings.innerIterations`.
        public var innerIterations: Int?
        /// Replaces `RunSettings.processes`.
        public var processes: Int?
        /// Replaces `RunSettings.durationSeconds`.
        public var durationSeconds: Double?
    }
}

/// A threshold the gate applies: per benchmark (name or glob), metric and percentile; relative and/or absolute.
public struct ThresholdRule: Codable, Hashable, Sendable {
    /// A benchmark name or a glob such as `micro/*` or `*`.
    public var benchmark: String
    /// The metric the rule judges (its stable name, e.g. `wall_time`).
    public var metric: BenchmarkMetric
    /// Which statistic: `p50`, `p99`, ... (see `MetricSummary.value(at:)`). Deterministic metrics use `p50`.
    public var percentile: String
    /// Allowed change in the worse direction, as a fraction: 0.10 = 10 %.
    public var relative: Double?
    /// Allowed change in the worse direction, in the metric's unit. `0` with a deterministic metric
    /// means "any increase fails".
    public var absolute: Double?
    /// `false`: the metric is measured and its change shown, never judged, for the benchmarks this rule matches
    /// (it overrides a less specific rule as any rule does, and takes no limits). Nil or `true`: a gating rule.
    public var gated: Bool? = nil
    /// Why a `gated: false` rule leaves the metric ungated; required with it, shown in the report.
    public var reason: String? = nil

    /// True unless the rule says `gated: false`.
    public var isGating: Bool { gated ?? true }
}

/// A temporary exemption from a threshold. An expired waiver is an error, so it cannot be forgotten.
public struct Waiver: Codable, Hashable, Sendable {
    /// The benchmark name or glob the waiver covers.
    public var benchmark: String
    /// The metric the waiver covers.
    public var metric: BenchmarkMetric
    /// Why the change is accepted, for reviewers; shown in the report.
    public var reason: String
    /// Expiry date, `YYYY-MM-DD`, inclusive.
    public var expires: String
}
