import Foundation
import SluiceTestKit

/// `sluice-bench compare` end to end: resolve both revisions, refuse a dirty work tree (unless allowed), build
/// each commit in its cached folder, and judge B against A with a `GateSession` (fresh worker processes in
/// alternating order, one value per process, Holm across the suite, adaptive looks). `rounds` is the number of
/// process pairs per benchmark.
///
/// Every failure before the verdict (unknown revision, dirty tree, bad suite, a build failing on either side,
/// a worker dying) throws `HarnessError` and no report is made: there is never a partial verdict.
public struct CompareDriver: Sendable {
    /// What to compare and how.
    public struct Configuration: Sendable {
        /// The repository's work tree.
        public var repository: URL
        /// The baseline revision (A) as given on the command line, e.g. `main` or `HEAD~1`.
        public var revisionA: String
        /// The revision judged against A (B), as given on the command line.
        public var revisionB: String
        /// The suite file to take benchmarks, settings and thresholds from.
        public var suiteFile: URL
        /// Fresh worker-process pairs per gated benchmark at each look (the session's `processesPerSide`, at least 2).
        public var rounds: Int
        /// Seeds the order (A or B first) of each process pair; the same seed replays the same orders.
        public var seed: UInt64
        /// Where builds are cached, one folder per commit sha.
        public var cacheDirectory: URL
        /// The shell command (`sh -c`) that builds each commit in its cached tree.
        public var buildCommand: String
        /// The built worker executable, relative to the commit's tree.
        public var workerPath: String
        /// Compare although the work tree has uncommitted changes; the report says so.
        public var allowsDirtyWorkTree: Bool
        /// Today, `YYYY-MM-DD`, for waiver expiry.
        public var today: String

        /// A configuration; the build defaults to `RevisionBuilder`'s release build of `sluice-bench`.
        public init(
            repository: URL, revisionA: String, revisionB: String, suiteFile: URL, rounds: Int, seed: UInt64,
            cacheDirectory: URL, buildCommand: String = RevisionBuilder.defaultBuildCommand,
            workerPath: String = RevisionBuilder.defaultWorkerPath, allowsDirtyWorkTree: Bool = false, today: String
        ) {
            self.repository = repository
            self.revisionA = revisionA
            self.revisionB = revisionB
            self.suiteFile = suiteFile
            self.rounds = rounds
            self.seed = seed
            self.cacheDirectory = cacheDirectory
            self.buildCommand = buildCommand
            self.workerPath = workerPath
            self.allowsDirtyWorkTree = allowsDirtyWorkTree
            self.today = today
        }
    }

    /// What to compare and how.
    public var configuration: Configuration
    /// Makes the measurer over both builds: real worker processes unless a test passes its own.
    public var measurers: any GateMeasurerFactory

    /// A driver for `configuration`; `measurers` defaults to real worker processes of both builds.
    public init(configuration: Configuration, measurers: any GateMeasurerFactory = ProcessGateMeasurerFactory()) {
        self.configuration = configuration
        self.measurers = measurers
    }

    /// Runs the comparison. `log` receives progress lines (for stderr).
    ///
    /// Suspends while the workers run; each build blocks the calling thread until it ends (one after the other,
    /// never in parallel). Cancellation is not looked at: a started build or worker runs to its end.
    /// Complexity: two builds (or cache hits) plus O(benchmarks × rounds) worker round trips.
    public func run(log: @escaping @Sendable (String) -> Void = { _ in }) async throws(HarnessError) -> CompareReport {
        let configuration = configuration
        // The suite first, so bad input costs no git or build work; read by the one strict reader, as `run` and
        // `gate` read suites (errors name the file and field). Benchmark names are not checked against this
        // build's registry: the two revisions may register others.
        let suitePath = SuiteLoader.displayPath(configuration.suiteFile)
        let suite = try JSONFileReader.read(
            SuiteFile.self, from: configuration.suiteFile, kind: "suite file",
            schemaVersion: SuiteFile.currentSchemaVersion, code: .invalidSuite, file: suitePath)
        _ = try GateConfiguration(suite: suite, file: suitePath, today: configuration.today)
        let repository = GitRepository(directory: configuration.repository)
        let commitA = try sided("A") { () throws(HarnessError) in try repository.resolve(configuration.revisionA) }
        let commitB = try sided("B") { () throws(HarnessError) in try repository.resolve(configuration.revisionB) }
        let dirtyFiles = try repository.uncommittedChanges()
        if !dirtyFiles.isEmpty && !configuration.allowsDirtyWorkTree {
            throw HarnessError(
                code: .dirtyWorkTree,
                message: "the work tree has uncommitted changes (\(dirtyFiles.prefix(5).joined(separator: ", "))"
                    + (dirtyFiles.count > 5 ? ", ..." : "") + "); commit or stash them, or pass --allow-dirty "
                    + "(the report will say so; the builds come from the commits either way)")
        }
        let builder = RevisionBuilder(
            repository: repository, cacheDirectory: configuration.cacheDirectory,
            buildCommand: configuration.buildCommand, workerPath: configuration.workerPath)
        log("compare: A = \(configuration.revisionA) (\(commitA.prefix(12))), B = \(configuration.revisionB) (\(commitB.prefix(12)))")
        log("compare: building A in \(configuration.cacheDirectory.appendingPathComponent(commitA).path)")
        // SwiftPM's `[n/m]` steps now and then, so that a build of several minutes shows it is moving.
        let buildA = try BuildProgressThrottle.reporting(log: { log("compare: building A: \($0)") }) {
            progress throws(HarnessError) in try builder.build(commitA, side: "A", progress: progress)
        }
        log("compare: A \(buildA.wasCached ? "cached" : "built"); building B")
        let buildB = try BuildProgressThrottle.reporting(log: { log("compare: building B: \($0)") }) {
            progress throws(HarnessError) in try builder.build(commitB, side: "B", progress: progress)
        }
        log("compare: B \(buildB.wasCached ? "cached" : "built"); \(configuration.rounds) fresh process pairs per benchmark, seed \(configuration.seed)")
        // The builds live in the cache, not beside `shared/`: point both at the repository's fixtures.
        var environment: [String: String] = [:]
        if ProcessInfo.processInfo.environment["SLUICE_SHARED_DIR"] == nil {
            let beside = configuration.repository.standardizedFileURL.deletingLastPathComponent()
                .appendingPathComponent("shared")
            environment["SLUICE_SHARED_DIR"] =
                FileManager.default.fileExists(atPath: beside.path) ? beside.path : SharedFixtures.sharedDirectory.path
        }
        let measurer = measurers.makeMeasurer(base: buildA.worker, candidate: buildB.worker, environment: environment)
        let options = GateSession.Options(
            suite: suite, suiteFile: configuration.suiteFile.path, processesPerSide: configuration.rounds,
            seed: configuration.seed, today: configuration.today)
        let session = try await GateSession(options: options, measurer: measurer).run(summary: .empty, log: log)
        let runID = "compare-\(commitA.prefix(7))-\(commitB.prefix(7))"
        var report = session.report
        report.runID = runID
        report.baselineRunID = "\(runID)-A"
        let outcome = CompareOutcome(
            gateReport: report,
            order: session.order.mapValues { $0.replacingOccurrences(of: "B", with: "A").replacingOccurrences(of: "C", with: "B") },
            onlyInA: session.onlyInBase, onlyInB: session.onlyInCandidate, resultsA: session.base,
            resultsB: session.candidate)
        return CompareReport(
            runID: runID, suite: suite.name,
            a: .init(revision: configuration.revisionA, commit: commitA, buildWasCached: buildA.wasCached),
            b: .init(revision: configuration.revisionB, commit: commitB, buildWasCached: buildB.wasCached),
            rounds: configuration.rounds, seed: configuration.seed, isWorkTreeDirty: !dirtyFiles.isEmpty,
            dirtyFiles: dirtyFiles, outcome: outcome)
    }

    private func sided<T>(_ side: String, _ body: () throws(HarnessError) -> T) throws(HarnessError) -> T {
        do {
            return try body()
        } catch {
            throw HarnessError(code: error.code, message: error.message, side: side)
        }
    }
}
