import Foundation
import Synchronization

/// Shows run progress on stderr: on a terminal, one redrawn line with benchmark k of n, the current name and
/// the estimated time left; off a terminal, nothing at all (no control characters in logs).
///
/// A driver benchmark (soak, chaos) adds its interval snapshots to the line: elapsed and remaining time, current
/// throughput and RSS. Off a terminal, `isVerbose` prints one plain line per snapshot instead.
public final class ProgressDisplay: Sendable {
    private struct State {
        var total = 0
        var estimatedSeconds = 0.0
        var started = Date()
        var finished = 0
        var current = ""
        var index = 0
    }

    private let state = Mutex(State())
    private let isTerminal: Bool
    private let isVerbose: Bool
    private let write: @Sendable (String) -> Void

    /// A display writing to stderr when it is a terminal (`isatty`), silent otherwise.
    public convenience init(verbose: Bool = false) {
        self.init(isTerminal: isatty(STDERR_FILENO) == 1, verbose: verbose) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// A display writing with `write`; `isTerminal: false` makes it silent unless `verbose` (snapshot lines only).
    public init(isTerminal: Bool, verbose: Bool = false, write: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.isVerbose = verbose
        self.write = write
    }

    /// Feeds one run event.
    public func handle(_ event: RunEvent) {
        if !isTerminal {
            if isVerbose, case .snapshot(let name, let snapshot, let duration) = event {
                write(Self.renderSnapshot(name: name, snapshot, durationSeconds: duration) + "\n")
            }
            return
        }
        let line: String? = state.withLock { state in
            switch event {
            case .started(let total, let estimatedSeconds):
                state.total = total
                state.estimatedSeconds = estimatedSeconds
                state.started = Date()
                return nil
            case .benchmarkStarted(let index, _, let name):
                state.index = index
                state.current = name
            case .roundFinished:
                break
            case .snapshot(let name, let snapshot, let duration):
                return "\r\u{1B}[K[\(state.index)/\(state.total)] "
                    + Self.renderSnapshot(name: name, snapshot, durationSeconds: duration)
            case .benchmarkFinished:
                state.finished += 1
                if state.finished == state.total { return "\r\u{1B}[K" }
                return nil
            case .diagnostic(let message):
                return "\r\u{1B}[K" + message + "\n"
            }
            return "\r\u{1B}[K" + Self.render(state)
        }
        if let line { write(line) }
    }

    private static func render(_ state: State) -> String {
        let width = 24
        let done = state.total == 0 ? 0 : state.finished * width / state.total
        let bar = String(repeating: "#", count: done) + String(repeating: ".", count: width - done)
        let elapsed = Date().timeIntervalSince(state.started)
        let remaining: Double
        if state.finished > 0 {
            remaining = elapsed / Double(state.finished) * Double(state.total - state.finished)
        } else {
            remaining = max(0, state.estimatedSeconds - elapsed)
        }
        let name = state.current.count > 48 ? "…" + state.current.suffix(47) : state.current
        return "[\(bar)] \(state.index)/\(state.total) \(name)  ~\(formatDuration(remaining)) left"
    }

    /// `soak/token-stream  12s elapsed, 48s left, 1.23e+05 items/s, RSS 45.1 MB`.
    static func renderSnapshot(name: String, _ snapshot: SoakSnapshot, durationSeconds: Double) -> String {
        let remaining = max(0, durationSeconds - snapshot.elapsedSeconds)
        var line = "\(name)  \(formatDuration(snapshot.elapsedSeconds)) elapsed, \(formatDuration(remaining)) left, "
        line += String(format: "%.3g items/s", snapshot.throughputPerSecond)
        if let rss = snapshot.rssBytes { line += String(format: ", RSS %.1f MB", rss / 1e6) }
        return line
    }

    /// `45s`, `3m05s`.
    static func formatDuration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total < 60 ? "\(total)s" : "\(total / 60)m\(String(format: "%02d", total % 60))s"
    }
}
