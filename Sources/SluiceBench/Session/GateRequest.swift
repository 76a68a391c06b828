import Foundation
import SluiceTestKit

/// What `sluice-bench gate` (and `ci/pr-gate`) asks for: the suite, the base (or the rule to find it), and
/// how hard to measure. Every field has the gate's default; the CLI only fills in what was given.
public struct GateRequest: Sendable {
    /// The suite to gate on (`suites/<name>.json`), or a suite file.
    public var suiteName = "pr"
    /// A suite file path; when set it replaces `suiteName`.
    public var suiteFile: String?
    /// `--base REV`; nil applies `BaseResolver`'s rules.
    public var base: String?
    /// The process environment (for `GITHUB_BASE_REF`).
    public var environment: [String: String] = [:]
    /// The candidate's worker executable: the binary running the gate, built from the work tree.
    public var candidateExecutable: URL
    /// Fresh worker-process pairs per gated benchmark at each look (at least 2).
    public var processesPerSide = GateSession.Options.defaultProcessesPerSide
    /// Timing rounds in each worker process; their median is the process's value.
    public var roundsPerProcess = GateSession.Options.defaultRoundsPerProcess
    /// The most looks: after each, comparisons still Inconclusive are measured again.
    public var maxLooks = GateSession.Options.defaultMaxLooks
    /// The family-wise error rate of the timing lane, spent across the looks.
    public var alpha = GateConfiguration.defaultAlpha
    /// The two-sided confidence of the timing intervals.
    public var confidence = RatioStatistics.defaultConfidence
    /// Seeds the alternating order; nil draws one (it is printed and in the report).
    public var seed: UInt64?
    /// `YYYY-MM-DD` for waiver expiry.
    public var today: String
    /// Longest warm-up per worker process, in seconds (the suite's when nil).
    public var maxWarmupSeconds: Double? = 0.3
    /// How the base revision is built in its cached tree.
    public var buildCommand = RevisionBuilder.defaultBuildCommand
    /// The built worker executable, relative to the base's tree.
    public var workerPath = RevisionBuilder.defaultWorkerPath

    /// A request with the gate's defaults; `today` (`YYYY-MM-DD`) decides waiver expiry.
    public init(candidateExecutable: URL, today: String) {
        self.candidateExecutable = candidateExecutable
        self.today = today
    }
}

/// What a gate run (or a `CheckSession`) produced: the report and where its files went.
public struct GateResult: Sendable {
    /// The verdict and every comparison behind it.
    public var report: GateReport
    /// The exit code the report maps to.
    public var exitCode: HarnessExitCode
    /// `<run-id>.md` and `<run-id>.json`, when reports are written.
    public var files: ReportWriter.WrittenFiles?
    /// The results files written: both sides' for a gate, the measured candidate's for a check.
    public var resultsFiles: [URL]
}

extension GateSession {
    /// The whole gate, as CI runs it: find the base (`BaseResolver`), build it in its cached tree (by tree hash),
    /// measure base and candidate in the same session, check the deterministic lanes against the stored
    /// baseline when there is one for this environment, write the reports, and return the verdict.
    ///
    /// Suspends while the workers run; the base's build blocks the calling thread until it ends. Cancellation is
    /// not looked at: a started build or worker runs to its end (Ctrl-C ends the process). `log` gets progress lines. `measurers` makes the
    /// measurer once the base is built: by default real worker processes of both builds; tests pass one that
    /// answers in process, so finding the base and writing the reports can be checked without workers.
    /// - Throws: `HarnessError`: `.missingBase` (no base: exit 6), a bad suite (6), a failed build
    ///   (`.buildFailed`, 7) or worker (7).
    public static func gate(
        _ request: GateRequest, layout: HarnessLayout,
        measurers: any GateMeasurerFactory = ProcessGateMeasurerFactory(),
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws(HarnessError) -> GateResult {
        let (suite, suitePath) = try loadSuite(request, layout: layout)
        let repository = GitRepository(directory: layout.root)
        let resolution = try BaseResolver(environment: request.environment).resolve(
            explicit: request.base, using: repository)
        log("gate: base \(resolution.commit.prefix(12)) = \(resolution.description) (rule: \(resolution.rule.rawValue))")
        let tree = repository.tree(resolution.commit)
        let builder = RevisionBuilder(
            repository: repository, cacheDirectory: layout.buildCacheDirectory, buildCommand: request.buildCommand,
            workerPath: request.workerPath)
        log("gate: building the base in \(layout.buildCacheDirectory.path)/\(tree ?? resolution.commit) (cached by tree)")
        // The builder's error keeps its code (`buildFailed`, `checkoutFailed`: exit 7) and names the side.
        let buildStarted = Date()
        let build = try BuildProgressThrottle.reporting(log: { log("gate: building the base: \($0)") }) {
            progress throws(HarnessError) in
            try builder.build(resolution.commit, side: "base", cacheKey: tree, progress: progress)
        }
        log(build.wasCached
            ? "gate: base cached"
            : "gate: base built in \(ProgressDisplay.formatDuration(Date().timeIntervalSince(buildStarted)))")
        let dirty = (try? repository.uncommittedChanges()) ?? []
        let head = repository.commit("HEAD") ?? "unknown"
        let environmentKey = EnvironmentFingerprint.current().environmentKey
        let stored = try? layout.baselineStore.load(environmentKey: environmentKey, suite: suite.name)
        let seed = request.seed ?? UInt64.random(in: 0...UInt64(UInt32.max))
        log("gate: seed \(seed) (replay with --seed \(seed))")
        let summary = GateSessionSummary(
            base: resolution, candidate: "work tree at \(head.prefix(12))" + (dirty.isEmpty ? "" : " with uncommitted changes"),
            isCandidateDirty: !dirty.isEmpty, dirtyFiles: Array(dirty.prefix(20)), processesPerSide: 0,
            maxProcessesPerSide: 0, roundsPerProcess: 0, looksTaken: 0, maxLooks: 0, remeasured: [], seed: seed,
            storedBaseline: stored == nil ? "none for \(environmentKey)" : nil, seconds: 0)
        let options = Options(
            suite: suite, suiteFile: suitePath, processesPerSide: request.processesPerSide,
            roundsPerProcess: request.roundsPerProcess, maxLooks: request.maxLooks, alpha: request.alpha,
            confidence: request.confidence, seed: seed, today: request.today,
            maxWarmupSeconds: request.maxWarmupSeconds)
        let measurer = measurers.makeMeasurer(
            base: build.worker, candidate: request.candidateExecutable,
            environment: sharedFixturesEnvironment(repository: layout.root))
        let outcome = try await GateSession(options: options, measurer: measurer).run(
            summary: summary, storedBaseline: stored, log: log)
        return try publish(outcome, suite: suite.name, layout: layout, log: log)
    }

    /// Names the run, writes the reports and both results files, and appends the candidate to the history.
    static func publish(_ outcome: Outcome, suite: String, layout: HarnessLayout, log: (String) -> Void)
        throws(HarnessError) -> GateResult
    {
        var outcome = outcome
        let runID = RunConfiguration.makeRunID(suite: suite)
        outcome.report.runID = runID
        outcome.report.baselineRunID = "\(runID)-base"
        outcome.base.runID = "\(runID)-base"
        outcome.candidate.runID = runID
        var files: ReportWriter.WrittenFiles?
        var resultsFiles: [URL] = []
        if let directory = layout.reportsDirectory {
            do {
                files = try ReportWriter(directory: directory).write(outcome.report)
                for results in [outcome.base, outcome.candidate] {
                    let url = directory.appendingPathComponent("\(results.runID).results.json")
                    try results.write(to: url)
                    resultsFiles.append(url)
                }
            } catch let error as HarnessError {
                throw HarnessError(code: .io, message: error.message, file: error.file, field: error.field)
            } catch {
                throw HarnessError(code: .io, message: "cannot write the reports", cause: error)
            }
            if let history = layout.historyDirectory {
                do {
                    let (_, file, isNew) = try HistoryStore.record(outcome.candidate, in: history)
                    log(isNew ? "history: appended to \(file.path)" : "history: this run is already in \(file.path)")
                } catch {
                    log("warning: history not updated: \(error)")
                }
            }
        }
        let code = HarnessExitCode(rawValue: Int32(outcome.report.exitCode)) ?? .harnessError
        return GateResult(report: outcome.report, exitCode: code, files: files, resultsFiles: resultsFiles)
    }

    static func loadSuite(_ request: GateRequest, layout: HarnessLayout) throws(HarnessError) -> (SuiteFile, String) {
        try loadSuite(named: request.suiteName, file: request.suiteFile, layout: layout)
    }

    /// The suite file at `file` when given, else the layout's suite `name`, loaded strictly; with its path for
    /// error messages.
    static func loadSuite(named name: String, file: String?, layout: HarnessLayout) throws(HarnessError)
        -> (SuiteFile, String)
    {
        do {
            if let file {
                return (try layout.suiteLoader.load(file: URL(fileURLWithPath: file)), file)
            }
            return (try layout.suiteLoader.load(named: name), layout.suiteFile(named: name).path)
        } catch let error as HarnessError {
            throw error
        } catch {
            throw HarnessError(code: .invalidSuite, message: "cannot load the suite", cause: error)
        }
    }

    /// Builds of other revisions live in the cache, not beside `shared/`: point their workers at the
    /// repository's fixtures (`SLUICE_SHARED_DIR`), unless the caller already did.
    static func sharedFixturesEnvironment(repository: URL) -> [String: String] {
        guard ProcessInfo.processInfo.environment["SLUICE_SHARED_DIR"] == nil else { return [:] }
        let beside = repository.standardizedFileURL.deletingLastPathComponent().appendingPathComponent("shared")
        return ["SLUICE_SHARED_DIR": FileManager.default.fileExists(atPath: beside.path)
            ? beside.path : SharedFixtures.sharedDirectory.path]
    }
}
