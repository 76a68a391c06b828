import Foundation

/// `sluice-bench selftest`: the shipped gate path judged on itself.
///
/// - **A/A**: the same build on both sides, `runs` times: every Performance Alert is a false alarm.
/// - **Mutations**: each patch in `ci/selftest/*.patch` is applied to an exported copy of the tree and built;
///   the gate then judges the mutant against the unmutated build, `runs` times. A run detects the mutation when
///   it exits 1 with an alert on a benchmark the patch names (`Sluice-Selftest-Expect:` in its preamble).
///
/// Each run is a full `GateSession` with the suite's thresholds, fresh worker processes, Holm and the looks: the
/// same code `sluice-bench gate` runs, minus finding and building the base. Suspends while builds and workers
/// run.
public struct SelftestSession: Sendable {
    /// The A/A case's name.
    public static let aaName = "A/A"

    /// What `selftest` asks for. Every field has the CLI's default.
    public struct Request: Sendable {
        /// The suite to gate on (`<suites>/<name>.json`).
        public var suiteName = "pr"
        /// Gate runs per case (A/A and each mutation).
        public var runs = 5
        /// Patch files; nil takes every `*.patch` in the layout's self-test folder.
        public var patches: [URL]?
        /// A prebuilt worker for the unmutated side (skips building the base; mutations still build).
        public var baseExecutable: URL?
        /// Worker-process pairs per gated benchmark at each look (at least 2).
        public var processesPerSide = GateSession.Options.defaultProcessesPerSide
        /// Timing rounds in each worker process.
        public var roundsPerProcess = GateSession.Options.defaultRoundsPerProcess
        /// The most looks per gate run.
        public var maxLooks = GateSession.Options.defaultMaxLooks
        /// The family-wise error rate of each gate run, spent across its looks.
        public var alpha = GateConfiguration.defaultAlpha
        /// Caps the suite's warm-up per worker process, in seconds; nil keeps the suite's.
        public var maxWarmupSeconds: Double? = 0.3
        /// The first seed: run r of case c (A/A is 0) uses `seed + 1000 c + r`.
        public var seed: UInt64 = 1
        /// `YYYY-MM-DD`, for waiver expiry.
        public var today: String
        /// The shell command (`sh -c`) that builds the unmutated tree and each mutant.
        public var buildCommand = RevisionBuilder.defaultBuildCommand
        /// The built worker executable, relative to the tree.
        public var workerPath = RevisionBuilder.defaultWorkerPath

        /// A request with the CLI's defaults; `today` (`YYYY-MM-DD`) decides waiver expiry.
        public init(today: String) {
            self.today = today
        }
    }

    /// Runs the self-test. `log` gets progress lines.
    /// - Throws: `HarnessError` when a build, a patch or a worker fails.
    public static func run(
        _ request: Request, layout: HarnessLayout, log: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws(HarnessError) -> SelftestReport {
        var gateRequest = GateRequest(candidateExecutable: URL(fileURLWithPath: "/"), today: request.today)
        gateRequest.suiteName = request.suiteName
        let (suite, suitePath) = try GateSession.loadSuite(gateRequest, layout: layout)
        let patches: [URL]
        if let given = request.patches {
            patches = given
        } else {
            patches = try patchFiles(in: layout.selftestDirectory)
        }
        for patch in patches where !FileManager.default.fileExists(atPath: patch.path) {
            throw HarnessError(code: .invalidArgument, message: "the mutation patch does not exist", file: patch.path,
                               field: "--patch")
        }
        let builds = try SelftestBuilder(layout: layout, request: request, log: log).build(patches: patches)
        var cases: [(SelftestReport.Case, URL)] = [
            (SelftestReport.Case(name: aaName, description: "the same build on both sides", expected: []), builds.base)
        ]
        for (patch, executable) in zip(patches, builds.mutants) {
            let preamble = (try? String(contentsOf: patch, encoding: .utf8)) ?? ""
            cases.append((SelftestReport.Case(
                name: patch.lastPathComponent, description: header("Sluice-Selftest:", in: preamble) ?? "",
                expected: (header("Sluice-Selftest-Expect:", in: preamble) ?? "").split(separator: ",")
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }), executable))
        }
        var spreads: [String: [Double]] = [:]
        var limits: [String: Double] = [:]
        var familySize = 1
        let environment = GateSession.sharedFixturesEnvironment(repository: layout.root)
        try await checkComparable(builds, given: request.baseExecutable != nil, environment: environment)
        for index in cases.indices {
            for run in 1...request.runs {
                let options = GateSession.Options(
                    suite: suite, suiteFile: suitePath, processesPerSide: request.processesPerSide,
                    roundsPerProcess: request.roundsPerProcess, maxLooks: request.maxLooks, alpha: request.alpha,
                    seed: request.seed &+ UInt64(index * 1000 + run), today: request.today,
                    maxWarmupSeconds: request.maxWarmupSeconds)
                let measurer = ProcessGateMeasurer(
                    base: builds.base, candidate: cases[index].1, environment: environment)
                let started = Date()
                // The gate's own progress lines (builds, looks, each benchmark's process pairs), prefixed.
                let prefix = "selftest: \(cases[index].0.name) run \(run)/\(request.runs): "
                let outcome = try await GateSession(options: options, measurer: measurer).run(
                    summary: .empty, log: { line in log(prefix + line) })
                let record = Self.record(outcome.report, index: run, expected: cases[index].0.expected,
                                         seconds: Date().timeIntervalSince(started))
                cases[index].0.runs.append(record)
                log("selftest: \(cases[index].0.name) run \(run)/\(request.runs): exit \(record.exitCode), "
                    + "alerts [\(record.alerts.joined(separator: "; "))], inconclusive "
                    + "[\(record.inconclusive.joined(separator: "; "))], \(record.looksTaken) look(s), "
                    + String(format: "%.0f s", record.seconds))
                if index == 0 {
                    let timing = outcome.report.comparisons.filter { $0.pValue != nil }
                    familySize = max(1, timing.count)
                    for comparison in timing {
                        let key = "\(comparison.benchmark) \(comparison.metric.rawValue)"
                        limits[key] = comparison.limit.map { abs($0 - 1) }
                        for results in [outcome.base, outcome.candidate] {
                            if let values = results.benchmarks.first(where: { $0.name == comparison.benchmark })?
                                .metric(comparison.metric)?.processValues?["p50"],
                                let spread = robustLogSpread(values)
                            {
                                spreads[key, default: []].append(spread)
                            }
                        }
                    }
                }
            }
        }
        let design = AlphaSpending(alpha: request.alpha, looks: request.maxLooks)
        let effects = spreads.keys.sorted().compactMap { key -> SelftestReport.MinimumDetectableEffect? in
            guard let spread = RatioStatistics.median(spreads[key] ?? []) else { return nil }
            let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
            let limit = limits[key]
            func effect(processes: Int, level: Double) -> Double {
                let z = NormalDistribution.quantile(1 - level / Double(familySize)) + NormalDistribution.quantile(0.8)
                return max(exp(z * spread * (2 / Double(processes)).squareRoot()) - 1, limit ?? 0)
            }
            return SelftestReport.MinimumDetectableEffect(
                benchmark: parts[0], metric: parts.count > 1 ? parts[1] : "", processSpread: spread, limit: limit,
                firstLook: effect(processes: request.processesPerSide, level: design.level(atLook: 1)),
                allLooks: effect(processes: request.processesPerSide * request.maxLooks,
                                 level: design.level(atLook: request.maxLooks)))
        }
        return SelftestReport(
            suite: suite.name, runsPerCase: request.runs, processesPerSide: request.processesPerSide,
            maxLooks: request.maxLooks, alpha: request.alpha, cases: cases.map(\.0), minimumDetectableEffects: effects)
    }

    /// Refuses, before any gate run, mutants whose build environment the base's cannot be compared with (a
    /// `--base-executable` built without jemalloc while the mutants link it, say): every mutant run would end in
    /// the gate's refusal after the A/A runs.
    static func checkComparable(
        _ builds: SelftestBuilder.Builds, given: Bool, environment: [String: String]
    ) async throws(HarnessError) {
        // The environment a worker of `executable` reports (`hello`).
        func fingerprint(_ executable: URL) async throws(HarnessError) -> EnvironmentFingerprint {
            do {
                return try await ProcessGateMeasurer(base: executable, candidate: executable, environment: environment)
                    .hello(.base).environment
            } catch let error as HarnessError {
                throw error
            } catch {
                throw HarnessError(code: .worker, message: "a self-test worker did not answer `hello`: \(error)",
                                   file: executable.path)
            }
        }
        guard !builds.mutants.isEmpty else { return }
        let base = try await fingerprint(builds.base)
        for mutant in builds.mutants {
            guard let refused = GateComparator.incomparable(
                baseline: base, candidate: try await fingerprint(mutant), allowsIncomparable: false)
            else { continue }
            let differences = "\(refused.baselineKey) against \(refused.candidateKey): "
                + refused.blockingDifferences.joined(separator: "; ")
            throw given
                ? HarnessError(code: .invalidArgument,
                    message: "the --base-executable build cannot be compared with the mutants built here (\(differences)). "
                        + "Build the base in the same environment (for jemalloc: `source ci/lib/jemalloc.sh` before "
                        + "`swift build`), or leave --base-executable out", file: builds.base.path,
                    field: "--base-executable")
                : HarnessError(code: .worker, message: "the base and a mutant build cannot be compared (\(differences))",
                               file: mutant.path)
        }
    }

    /// One run's record: alerts, inconclusive comparisons, and whether it detected the expected regression.
    static func record(_ report: GateReport, index: Int, expected: [String], seconds: Double) -> SelftestReport.Run {
        let alerts = report.comparisons.filter { $0.verdictClass == .performanceAlert }
        let detected = report.exitCode == Int(HarnessExitCode.performanceRegression.rawValue)
            && alerts.contains { alert in
                expected.contains { GlobPattern($0).matches(alert.benchmark) }
            }
        return SelftestReport.Run(
            index: index, exitCode: report.exitCode, outcome: report.outcome.rawValue,
            alerts: alerts.map { "\($0.benchmark) \($0.metric.rawValue)" },
            inconclusive: report.comparisons.filter { $0.verdictClass == .inconclusive }
                .map { "\($0.benchmark) \($0.metric.rawValue)" },
            functionalFailures: report.benchmarkChanges.filter { $0.verdictClass == .functionalFail }.map(\.benchmark),
            looksTaken: report.session?.looksTaken ?? report.method.look ?? 1, seconds: seconds, detected: detected)
    }

    /// 1.4826 × the median absolute deviation of the logs of `values`; nil for fewer than 3 values.
    static func robustLogSpread(_ values: [Double]) -> Double? {
        let logs = values.filter { $0 > 0 }.map { log($0) }
        guard logs.count >= 3, let center = RatioStatistics.median(logs),
            let mad = RatioStatistics.median(logs.map { abs($0 - center) })
        else { return nil }
        return 1.4826 * mad
    }

    /// The value of a `Name: value` line in a patch's preamble.
    static func header(_ name: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(name) }
            .map { $0.dropFirst(name.count).trimmingCharacters(in: .whitespaces) }
    }

    /// Every `*.patch` in `directory`, sorted.
    static func patchFiles(in directory: URL) throws(HarnessError) -> [URL] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            throw HarnessError(code: .io, message: "cannot list the self-test patches", file: directory.path)
        }
        return names.filter { $0.hasSuffix(".patch") }.sorted().map { directory.appendingPathComponent($0) }
    }
}

extension GateSessionSummary {
    /// A summary with nothing filled in yet (the session fills in what it measured).
    public static let empty = GateSessionSummary(
        base: nil, candidate: "", isCandidateDirty: false, dirtyFiles: [], processesPerSide: 0,
        maxProcessesPerSide: 0, roundsPerProcess: 0, looksTaken: 0, maxLooks: 0, remeasured: [], seed: 0,
        storedBaseline: nil, seconds: 0)
}
