import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds one commit in its own folder of a cache, once: `<cache>/<sha>/src` holds the commit's tree,
/// `<cache>/<sha>/build.log` the last build's output, and `<cache>/<sha>/built.json` marks a finished build
/// with the command that made it. A later comparison of the same commit with the same build command reuses the
/// binary. Two comparisons building the same commit at once serialize on `<cache>/<sha>.lock` (`flock`).
public struct RevisionBuilder: Sendable {
    /// The default build: the harness binary in release mode.
    public static let defaultBuildCommand = "swift build -c release --product sluice-bench"
    /// Where the default build puts the binary, relative to the tree.
    public static let defaultWorkerPath = ".build/release/sluice-bench"

    /// The repository commits are exported from (`GitRepository.export`).
    public var repository: GitRepository
    /// The cache: one folder per commit sha (or per `cacheKey`), each beside its `.lock` file.
    public var cacheDirectory: URL
    /// A shell command run with `sh -c` in the commit's tree; `SLUICE_COMPARE_COMMIT` holds the sha.
    public var buildCommand: String
    /// The worker executable, relative to the commit's tree.
    public var workerPath: String

    /// A builder caching into `cacheDirectory`; the build defaults to the release build of `sluice-bench`.
    public init(
        repository: GitRepository, cacheDirectory: URL, buildCommand: String = RevisionBuilder.defaultBuildCommand,
        workerPath: String = RevisionBuilder.defaultWorkerPath
    ) {
        self.repository = repository
        self.cacheDirectory = cacheDirectory
        self.buildCommand = buildCommand
        self.workerPath = workerPath
    }

    /// What a build produced.
    public struct Build: Sendable {
        /// The commit that was built (full sha), also when the cache folder is named by `cacheKey`.
        public var commit: String
        /// The worker executable.
        public var worker: URL
        /// True when an earlier build was reused.
        public var wasCached: Bool
    }

    private struct Marker: Codable, Equatable {
        var buildCommand: String
        var workerPath: String
    }

    /// The build of `commit` (a full sha), building it when the cache has none.
    /// - Parameters:
    ///   - side: `A` or `B`, for messages.
    ///   - progress: gets each line of the build command's standard output as it comes (SwiftPM's `[n/m]` steps),
    ///     so that a caller can show how a build of several minutes is getting on.
    /// - Throws: `HarnessError` `.checkoutFailed` or `.buildFailed` (with the build log's last lines).
    public func build(
        _ commit: String, side: String, cacheKey: String? = nil, patch: URL? = nil,
        progress: ((Substring) -> Void)? = nil
    ) throws(HarnessError) -> Build {
        let folder = cacheDirectory.appendingPathComponent(cacheKey ?? commit)
        let source = folder.appendingPathComponent("src")
        let worker = source.appendingPathComponent(workerPath)
        let markerURL = folder.appendingPathComponent("built.json")
        let marker = Marker(buildCommand: buildCommand, workerPath: workerPath)
        do {
            try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        } catch {
            throw HarnessError(code: .checkoutFailed, message: "cannot create \(cacheDirectory.path): \(error)", side: side)
        }
        let lock = open(cacheDirectory.appendingPathComponent("\(cacheKey ?? commit).lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        defer {
            if lock >= 0 { close(lock) }
        }
        if lock >= 0 { while flock(lock, LOCK_EX) != 0 && errno == EINTR {} }
        if let data = try? Data(contentsOf: markerURL), (try? JSONDecoder().decode(Marker.self, from: data)) == marker,
            FileManager.default.isExecutableFile(atPath: worker.path)
        {
            return Build(commit: commit, worker: worker, wasCached: true)
        }
        try? FileManager.default.removeItem(at: markerURL)
        if !FileManager.default.fileExists(atPath: source.path) {
            let staging = folder.appendingPathComponent("src.partial")
            try? FileManager.default.removeItem(at: staging)
            do {
                try repository.export(commit, to: staging)
            } catch {
                throw HarnessError(code: error.code, message: error.message, side: side)
            }
            if let patch {
                let applied = try? ProcessRunner.run(["patch", "-p1", "--batch", "--forward", "--fuzz=0", "-i", patch.path], in: staging)
                guard let applied, applied.status == 0 else {
                    throw HarnessError(
                        code: .checkoutFailed,
                        message: "the patch \(patch.path) does not apply to \(commit.prefix(12)): "
                            + (applied.map { String(decoding: $0.stderr, as: UTF8.self) } ?? "patch did not run"),
                        side: side)
                }
            }
            do {
                try FileManager.default.moveItem(at: staging, to: source)
            } catch {
                throw HarnessError(code: .checkoutFailed, message: "cannot move the tree into place: \(error)", side: side)
            }
        }
        let outcome: ProcessRunner.Outcome
        do {
            outcome = try ProcessRunner.run(
                ["sh", "-c", buildCommand], in: source, environment: ["SLUICE_COMPARE_COMMIT": commit],
                onOutputLine: progress)
        } catch {
            throw HarnessError(code: .buildFailed, message: "cannot run the build command: \(error)", side: side)
        }
        let log = outcome.stdout + outcome.stderr
        try? log.write(to: folder.appendingPathComponent("build.log"))
        guard outcome.status == 0 else {
            let tail = String(decoding: log, as: UTF8.self).split(separator: "\n").suffix(15).joined(separator: "\n")
            throw HarnessError(
                code: .buildFailed,
                message: "building \(commit.prefix(12)) failed (exit \(outcome.status)) with `\(buildCommand)`; "
                    + "log: \(folder.appendingPathComponent("build.log").path)\n\(tail)",
                side: side)
        }
        guard FileManager.default.isExecutableFile(atPath: worker.path) else {
            throw HarnessError(
                code: .buildFailed,
                message: "the build of \(commit.prefix(12)) succeeded but made no executable at \(workerPath)",
                side: side)
        }
        if let data = try? JSONEncoder().encode(marker) { try? data.write(to: markerURL) }
        return Build(commit: commit, worker: worker, wasCached: false)
    }
}

/// Turns a build's output into occasional progress lines: SwiftPM's `[n/m] …` steps, the first at once and then at
/// most one per `interval` seconds, so that a build of several minutes shows it is moving without flooding the log;
/// and, through `heartbeat`, a line while one long step (a whole-module compile of minutes) prints nothing.
public struct BuildProgressThrottle: Sendable {
    /// Seconds between two reported lines, at least.
    public var interval: Double
    /// The longest step text shown; longer ones are cut with `…`.
    public var maxLength = 100
    private var lastReport: Double?
    private var lastStep: String?
    private var lastShownStep: String?

    /// A throttle that shows at most one line per `interval` seconds.
    public init(interval: Double = 30) {
        self.interval = interval
    }

    /// The text to show for `line`, seen `elapsed` seconds into the build, or nil: not a `[n/m]` step, or too
    /// soon after the last one shown.
    public mutating func report(_ line: Substring, elapsed: Double) -> String? {
        let line = line.trimmingCharacters(in: .whitespaces)
        guard line.prefixMatch(of: /\[\d+\/\d*\]/) != nil else { return nil }
        let text = line.count > maxLength ? String(line.prefix(maxLength - 1)) + "…" : line
        lastStep = text
        if let lastReport, elapsed - lastReport < interval { return nil }
        lastReport = elapsed
        lastShownStep = text
        return "\(text) (\(ProgressDisplay.formatDuration(elapsed)) so far)"
    }

    /// A line for a build that has shown nothing for `interval` seconds, or nil: its latest step when that was not
    /// shown yet, else `still at` the step shown last. A caller asks every few seconds while the build runs.
    public mutating func heartbeat(elapsed: Double) -> String? {
        guard let lastStep, let lastReport, elapsed - lastReport >= interval else { return nil }
        self.lastReport = elapsed
        defer { lastShownStep = lastStep }
        let duration = ProgressDisplay.formatDuration(elapsed)
        return lastStep == lastShownStep ? "still at \(lastStep) (\(duration) so far)" : "\(lastStep) (\(duration) so far)"
    }

    /// Runs `build` with `progress` fed by `report`'s steps and by a heartbeat every few seconds on another queue,
    /// so that a caller's log shows a long build moving; `log` gets the lines. Returns what `build` returned.
    static func reporting<T>(
        interval: Double = 30, log: @escaping @Sendable (String) -> Void,
        _ build: (_ progress: @escaping (Substring) -> Void) throws(HarnessError) -> T
    ) throws(HarnessError) -> T {
        let throttle = Mutex(BuildProgressThrottle(interval: interval))
        let started = Date()
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        timer.schedule(deadline: .now() + 5, repeating: 5)
        timer.setEventHandler {
            if let text = throttle.withLock({ $0.heartbeat(elapsed: Date().timeIntervalSince(started)) }) { log(text) }
        }
        timer.resume()
        defer { timer.cancel() }
        return try build { line in
            if let text = throttle.withLock({ $0.report(line, elapsed: Date().timeIntervalSince(started)) }) { log(text) }
        }
    }
}
