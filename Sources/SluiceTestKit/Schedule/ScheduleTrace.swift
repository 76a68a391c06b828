import Foundation

/// The choices a `ScheduleController` made in one run: enough to replay it exactly.
///
/// `choices[i]` is the index, in enqueue order, of the runnable job picked at step `i`. Save a failing run's
/// trace with `write(to:)` and replay it with `ScheduleController.replay(_:_:)`, or replay from the seed alone
/// with the same strategy.
public struct ScheduleTrace: Sendable, Hashable, Codable {
    /// The format version of a saved trace.
    public static let schemaVersion = 1

    /// The format version this trace was written with.
    public var schemaVersion: Int
    /// The seed of the strategy that made the choices.
    public var seed: UInt64
    /// The strategy that made the choices.
    public var strategy: ScheduleStrategy
    /// The index of the job run at each step, among the runnable jobs in enqueue order.
    public var choices: [Int]
    /// The task that ran at each step: `t1`, `t2`, ... in order of first appearance in the run (not the runtime's
    /// process-wide task IDs, so that traces of one schedule compare equal across runs), or `jobN` for a job
    /// without a task.
    public var tasks: [String]

    /// Creates a trace.
    public init(seed: UInt64, strategy: ScheduleStrategy, choices: [Int] = [], tasks: [String] = []) {
        schemaVersion = Self.schemaVersion
        self.seed = seed
        self.strategy = strategy
        self.choices = choices
        self.tasks = tasks
    }

    /// A hash of the order in which tasks ran: two runs with the same signature took the same interleaving.
    public var interleavingSignature: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for task in tasks {
            for byte in task.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
            hash = (hash ^ 0x3B) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// Writes the trace as JSON to `path`, atomically.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Reads a trace written by `write(to:)`.
    /// - Throws: `ScheduleTraceError` naming the file when it is unreadable, damaged or of another version.
    public static func read(from path: String) throws -> ScheduleTrace {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ScheduleTraceError(path: path, message: "cannot read the file: \(error)")
        }
        let trace: ScheduleTrace
        do {
            trace = try JSONDecoder().decode(ScheduleTrace.self, from: data)
        } catch {
            throw ScheduleTraceError(path: path, message: "not a schedule trace: \(error)")
        }
        guard trace.schemaVersion == schemaVersion else {
            throw ScheduleTraceError(
                path: path, message: "schemaVersion \(trace.schemaVersion); this build reads \(schemaVersion)")
        }
        return trace
    }
}

/// A saved trace that cannot be read.
public struct ScheduleTraceError: Error, CustomStringConvertible, Sendable {
    /// The file.
    public let path: String
    /// What is wrong with it.
    public let message: String

    /// `PATH: MESSAGE`.
    public var description: String { "\(path): \(message)" }
}
