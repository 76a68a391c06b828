/// How a `ScheduleController` picks the next job among the runnable ones.
public enum ScheduleStrategy: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Uniformly at random among the runnable jobs, at every step.
    case randomWalk
    /// Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): every task gets a random priority, the
    /// highest-priority runnable task runs, and at `depth - 1` random steps in `1...expectedSteps` the running
    /// task's priority drops below all others. A bug of depth `d` among `n` tasks and `k` steps is found with
    /// probability at least 1 / (n · k^(d-1)) per run.
    case pct(depth: Int, expectedSteps: Int)

    /// `random walk`, or `PCT (depth D, N expected steps)`.
    public var description: String {
        switch self {
        case .randomWalk: "random walk"
        case .pct(let depth, let steps): "PCT (depth \(depth), \(steps) expected steps)"
        }
    }
}

/// The per-run state of a strategy: a seeded generator and, for PCT, priorities and change points.
struct StrategyState {
    let strategy: ScheduleStrategy
    var random: SeededRandomNumberGenerator
    var priorities: [String: Int] = [:]
    var changePoints: [Int: Int] = [:]

    init(strategy: ScheduleStrategy, seed: UInt64) {
        self.strategy = strategy
        random = SeededRandomNumberGenerator(seed: seed)
        if case .pct(let depth, let expectedSteps) = strategy {
            precondition(depth >= 1, "PCT depth must be at least 1")
            precondition(expectedSteps >= 1, "PCT needs at least one expected step")
            // depth - 1 distinct change points; the i-th lowers the running task to priority i.
            var points: Set<Int> = []
            while points.count < min(depth - 1, expectedSteps) {
                points.insert(Int.random(in: 1...expectedSteps, using: &random))
            }
            for (rank, step) in points.sorted().enumerated() { changePoints[step] = rank + 1 }
        }
    }

    /// The index of the job to run at `step` among `runnable` (task identities, in enqueue order).
    mutating func choose(step: Int, runnable: [String]) -> Int {
        switch strategy {
        case .randomWalk:
            return Int.random(in: 0..<runnable.count, using: &random)
        case .pct(let depth, _):
            var best = 0
            var bestPriority = Int.min
            for (index, task) in runnable.enumerated() {
                let priority = priority(of: task, depth: depth)
                if priority > bestPriority {
                    best = index
                    bestPriority = priority
                }
            }
            if let lowered = changePoints[step] { priorities[runnable[best]] = lowered }
            return best
        }
    }

    /// A new task's priority is random and above every change-point priority (which are `1..<depth`).
    private mutating func priority(of task: String, depth: Int) -> Int {
        if let known = priorities[task] { return known }
        let priority = depth + Int.random(in: 0..<(1 << 30), using: &random)
        priorities[task] = priority
        return priority
    }
}
