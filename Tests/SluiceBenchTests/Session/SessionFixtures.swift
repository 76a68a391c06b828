import Foundation
@testable import SluiceBench
import Synchronization

/// A temporary git repository for the sessions' in-process tests: `suites/t.json` (two registered self-test
/// benchmarks) and a build script that makes a stand-in worker executable, committed twice, so that HEAD~1 is a
/// base the gate can find and build without compiling anything.
struct SessionRepository {
    /// The suite `t` of `CheckSessionTests`: `selftest/spin` and `selftest/allocations`, with thresholds.
    static let suite = CheckSessionTests.suite
    static let benchmarks = ["selftest/spin", "selftest/allocations"]
    /// Makes `bin/worker`, an executable that is never started (the measurer answers in process).
    static let buildCommand = "mkdir -p bin && printf '#!/bin/sh\\nexit 0\\n' > bin/worker && chmod +x bin/worker"
    static let workerPath = "bin/worker"

    let directory: URL
    /// The first and second commit.
    let first: String
    let second: String

    init() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-session-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        self.directory = directory
        func git(_ arguments: String...) throws -> String { try Self.git(directory, arguments) }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("suites"), withIntermediateDirectories: true)
        try Data(Self.suite.utf8).write(to: directory.appendingPathComponent("suites/t.json"))
        try Data("reports/\n.build-compare/\n".utf8).write(to: directory.appendingPathComponent(".gitignore"))
        _ = try git("init", "-q")
        try Data("one\n".utf8).write(to: directory.appendingPathComponent("file.txt"))
        _ = try git("add", "-A")
        _ = try git("commit", "-q", "-m", "first")
        first = try git("rev-parse", "HEAD")
        try Data("two\n".utf8).write(to: directory.appendingPathComponent("file.txt"))
        _ = try git("commit", "-q", "-am", "second")
        second = try git("rev-parse", "HEAD")
    }

    static func git(_ directory: URL, _ arguments: [String]) throws -> String {
        let outcome = try ProcessRunner.run(
            ["git", "-C", directory.path, "-c", "user.name=Test", "-c", "user.email=t@example.com",
             "-c", "commit.gpgsign=false"] + arguments)
        guard outcome.status == 0 else {
            throw HarnessError(code: .io, message: "git \(arguments.joined(separator: " ")): \(outcome.stderrText)")
        }
        return outcome.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The layout of the repository, with the reports where `reports` says (relative to the repository).
    func layout(reports: String? = nil) -> HarnessLayout {
        HarnessLayout(root: directory, suitesDirectory: "suites", reportsDirectory: reports)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Hands out a `SyntheticMeasurer` and records the executables it was asked to measure.
final class RecordingMeasurerFactory: GateMeasurerFactory {
    let measurer: SyntheticMeasurer
    private let requests = Mutex<[(base: URL, candidate: URL)]>([])

    init(_ measurer: SyntheticMeasurer) {
        self.measurer = measurer
    }

    var executables: [(base: URL, candidate: URL)] { requests.withLock { $0 } }

    func makeMeasurer(base: URL, candidate: URL, environment: [String: String]) -> any GateMeasurer {
        requests.withLock { $0.append((base, candidate)) }
        return measurer
    }
}
