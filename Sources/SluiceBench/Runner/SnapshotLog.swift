import Foundation
import Synchronization

/// Writes driver snapshots as JSON lines while a run goes on: `<folder>/<run-id>.<slug>.snapshots.jsonl`, one
/// file per benchmark (`slug` is the name with `/` replaced by `-`), one line per snapshot, flushed at once so a
/// long soak can be followed with `tail -f` and survives a crash.
///
/// Feed it every `RunEvent`; it ignores all but `.snapshot`. A write error is reported once through `onError`
/// and the log stops; the run itself goes on.
public final class SnapshotLog: Sendable {
    /// One line of the log.
    public struct Line: Codable, Hashable, Sendable {
        /// The driver benchmark's registry name, e.g. `chaos/pipeline/at-least-once`.
        public var benchmark: String
        /// How long the driver runs in all (`RunSettings.durationSeconds`), in seconds; 0 when the suite sets none.
        public var durationSeconds: Double
        /// The interval snapshot the driver took.
        public var snapshot: SoakSnapshot
    }

    private struct State {
        var handles: [String: FileHandle] = [:]
        var paths: [String] = []
        var failed = false
    }

    private let folder: URL
    private let runID: String
    private let state = Mutex(State())
    private let onError: @Sendable (String) -> Void

    /// A log writing into `folder` (created if missing) for run `runID`.
    public init(folder: URL, runID: String, onError: @escaping @Sendable (String) -> Void = { _ in }) {
        self.folder = folder
        self.runID = runID
        self.onError = onError
    }

    /// The file a benchmark's snapshots go to.
    public func path(for benchmark: String) -> URL {
        folder.appendingPathComponent("\(runID).\(benchmark.replacingOccurrences(of: "/", with: "-")).snapshots.jsonl")
    }

    /// The files written so far, in the order they were opened.
    public var writtenPaths: [String] { state.withLock { $0.paths } }

    /// Appends a snapshot event as one JSON line; other events are ignored.
    public func handle(_ event: RunEvent) {
        guard case .snapshot(let name, let snapshot, let duration) = event else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard var data = try? encoder.encode(Line(benchmark: name, durationSeconds: duration, snapshot: snapshot))
        else { return }
        data.append(0x0A)
        let error: String? = state.withLock { state in
            if state.failed { return nil }
            do {
                let handle: FileHandle
                if let open = state.handles[name] {
                    handle = open
                } else {
                    let url = path(for: name)
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                    FileManager.default.createFile(atPath: url.path, contents: nil)
                    handle = try FileHandle(forWritingTo: url)
                    state.handles[name] = handle
                    state.paths.append(url.path)
                }
                try handle.write(contentsOf: data)
                return nil
            } catch {
                state.failed = true
                return "snapshot log: \(error); no more snapshots are written"
            }
        }
        if let error { onError(error) }
    }

    /// Closes every file. Further snapshots reopen (and truncate) nothing: call it once, after the run.
    public func close() {
        state.withLock { state in
            for handle in state.handles.values { try? handle.close() }
            state.handles = [:]
            state.failed = true
        }
    }
}
