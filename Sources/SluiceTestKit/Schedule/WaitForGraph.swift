/// Who waits for whom when a controlled run deadlocks: every task suspended on a channel, the stage it runs, and
/// the tasks that could wake it (those that used the channel from the other end).
///
/// Tasks are named as in `ScheduleTrace.tasks` (`t1`, `t2`, ... by first appearance in the run). A task that
/// `ConcurrentEngine` spawned for a stage also carries that stage's name (a segment of fused stages is named
/// `a+b`), learnt from the task-local label the engine sets in debug builds.
public struct WaitForGraph: Sendable, Hashable, CustomStringConvertible {
    /// One suspended task.
    public struct Waiter: Sendable, Hashable {
        /// The task's name in this run (`t1`, `t2`, ..., as in `ScheduleTrace.tasks`).
        public var task: String
        /// The stage (or fused segment) the task runs, when `ConcurrentEngine` spawned it; nil for other tasks.
        public var stage: String?
        /// The channel it waits on (channels are named after the stage that feeds them).
        public var channel: String
        /// True when it waits for room to send, false when it waits for an element.
        public var isSending: Bool
        /// The tasks that used the channel from the other end, and so could wake it.
        public var wakers: [String]

        /// Creates a waiter.
        public init(task: String, stage: String? = nil, channel: String, isSending: Bool, wakers: [String]) {
            self.task = task
            self.stage = stage
            self.channel = channel
            self.isSending = isSending
            self.wakers = wakers
        }
    }

    /// The tasks suspended on a channel, by task name. Tasks suspended elsewhere (a task group's parent, a
    /// hand-written continuation) are stuck too, but the graph cannot say on what, so they are not listed.
    /// The controller lists them sorted by task, each with its wakers sorted, so equal deadlocks compare equal.
    public var waiters: [Waiter]
    /// The stage of every task that used a channel under a stage label (waiters and wakers alike), by task name.
    public var stages: [String: String]

    /// Creates a graph.
    public init(waiters: [Waiter], stages: [String: String] = [:]) {
        self.waiters = waiters
        self.stages = stages
    }

    /// A cycle of tasks, each waiting for the next, if there is one.
    public var cycle: [String]? {
        let waiting = Dictionary(waiters.map { ($0.task, $0.wakers) }, uniquingKeysWith: +)
        for start in waiting.keys.sorted() {
            var path = [start]
            var seen: Set<String> = [start]
            var current = start
            while let next = waiting[current]?.sorted().first(where: { waiting[$0] != nil }) {
                if next == start { return path + [start] }
                guard seen.insert(next).inserted else { break }
                path.append(next)
                current = next
            }
        }
        return nil
    }

    /// Several lines: a `deadlock:` header, one line per waiter (by task) naming its channel and the tasks that
    /// could wake it, then the cycle, if there is one.
    public var description: String {
        var lines = ["deadlock: no job is runnable and the run has not finished"]
        for waiter in waiters.sorted(by: { $0.task < $1.task }) {
            let what = waiter.isSending ? "for room to send on" : "for an element from"
            let wakers = waiter.wakers.isEmpty ? "no other task used it" : "could be woken by "
                + waiter.wakers.sorted().map(named).joined(separator: ", ")
            lines.append("  \(named(waiter.task)) waits \(what) channel \"\(waiter.channel)\" (\(wakers))")
        }
        if let cycle { lines.append("  cycle: " + cycle.map(named).joined(separator: " → ")) }
        return lines.joined(separator: "\n")
    }

    /// `task t2 (stage "parse")`, or `task t2` for a task without a stage.
    private func named(_ task: String) -> String {
        stages[task].map { "task \(task) (stage \"\($0)\")" } ?? "task \(task)"
    }
}

/// How a controlled run ended.
public struct ScheduleOutcome: Sendable {
    /// The kinds of ending.
    public enum Ending: Sendable, Hashable {
        /// The body returned.
        case completed
        /// The body threw; the error's description.
        case failed(String)
        /// Nothing was runnable before the body finished.
        case deadlock(WaitForGraph)
        /// The run took `maxSteps` steps without finishing (a livelock, or a limit set too low).
        case stepLimit
    }

    /// How it ended.
    public var ending: Ending
    /// The choices made: replay them with `ScheduleController.replay`.
    public var trace: ScheduleTrace
    /// Jobs run before the ending.
    public var steps: Int { trace.choices.count }

    /// True when the body returned.
    public var isCompleted: Bool { ending == .completed }

    /// The wait-for graph of a deadlock, if the run deadlocked.
    public var deadlock: WaitForGraph? {
        if case .deadlock(let graph) = ending { return graph }
        return nil
    }
}

/// What `ScheduleController.explore` found over many seeds.
public struct ScheduleExploration: Sendable {
    /// Runs made.
    public var runs: Int
    /// Distinct interleavings among them (by `ScheduleTrace.interleavingSignature`).
    public var distinctInterleavings: Int
    /// The first run that did not complete, if any: its seed and trace replay it.
    public var firstFailure: ScheduleOutcome?
    /// How many runs did not complete.
    public var failures: Int
}
