import Sluice
import Synchronization

/// A test-mode executor that runs async code one job at a time, on the calling thread, in an order chosen by a
/// seeded strategy, so that a concurrency bug found once can be replayed exactly.
///
/// ```swift
/// let outcome = ScheduleController.run(seed: 7, strategy: .pct(depth: 2, expectedSteps: 200)) {
///     try await ConcurrentEngine(batchSize: 4, channelCapacity: 8).run(pipeline)
/// }
/// #expect(outcome.isCompleted, "seed 7: \(outcome.ending)")
/// ```
///
/// The body runs in a task whose task-executor preference is the controller (SE-0417), so child tasks, task-group
/// members and resumed continuations are all enqueued here. At every step the controller picks one runnable job,
/// records the choice, and runs it to its next suspension. When nothing is runnable and the body has not
/// finished, the run has deadlocked: the outcome carries a `WaitForGraph` built from the channel wait hooks and the
/// stage labels of `ConcurrentEngine`'s tasks that debug builds of `Sluice` carry (`SLUICE_SCHEDULE_HOOKS`; release
/// builds carry none of it).
///
/// Limits: code under the controller must not sleep on the wall clock or hop to other executors (a `Task.sleep`
/// or `Task.detached` escapes it and would look like a deadlock); use virtual time (`ManualClock`). Interleavings
/// happen only at suspension points, as on a real executor; races inside one job between threads cannot occur.
///
/// `@unchecked Sendable`: `pending`, `taskNames` and `runningTask` are guarded by `pending`'s `Mutex` (jobs may be enqueued from
/// any thread); every other property is touched only by the thread inside `run`, which runs the jobs.
public final class ScheduleController: TaskExecutor, @unchecked Sendable {
    struct PendingJob {
        let job: UnownedJob
        let task: String
    }

    private let pending = Mutex<[PendingJob]>([])
    /// Runtime task ID → the run's own name for it; only touched under `pending`'s lock.
    private var taskNames: [String: String] = [:]
    /// The task whose job is running, while one runs; only touched under `pending`'s lock.
    private var runningTask: String?
    /// The thread inside `run` that runs the jobs.
    private let runThread = Atomic<UInt>(0)
    private let jobCounter = Atomic<Int>(0)
    /// The task running right now (confined to the run loop's thread).
    fileprivate var currentTask = ""
    fileprivate var uses: [String: (sends: Set<String>, receives: Set<String>)] = [:]
    fileprivate var waits: [String: (channel: String, isSending: Bool)] = [:]
    /// Task → the stage it runs (`ConcurrentEngine` labels the tasks it spawns), learnt at channel accesses.
    fileprivate var stages: [String: String] = [:]

    private init() {}

    /// Queues the job for the run loop to pick (it never runs here); callable from any thread. The job is named
    /// after its task by first appearance (`t1`, `t2`, ...); one without a task after the task running, or `jobN`.
    public func enqueue(_ job: consuming ExecutorJob) {
        let runtimeID = Self.taskIdentity(of: job)
        let unowned = UnownedJob(job)
        pending.withLock { pending in
            // Tasks are named by order of first appearance in this run ("t1", "t2", ...), not by the runtime's
            // process-wide IDs, so that traces of the same schedule compare equal across runs.
            let task: String
            if let runtimeID {
                if let known = taskNames[runtimeID] {
                    task = known
                } else {
                    task = "t\(taskNames.count + 1)"
                    taskNames[runtimeID] = task
                }
            } else if let running = runningTask, runThread.load(ordering: .relaxed) == currentThreadIdentity() {
                // A job without a task ID enqueued by the running job (`Task.yield` makes one): it belongs to
                // the running task, so it keeps that task's name and, under PCT, its priority.
                task = running
            } else {
                task = "job\(jobCounter.add(1, ordering: .relaxed).newValue)"
            }
            pending.append(PendingJob(job: unowned, task: task))
        }
    }

    /// The runtime's task ID, from the job's description (`ExecutorJob(id: 7)`); nil for a job without a task.
    static func taskIdentity(of job: borrowing ExecutorJob) -> String? {
        let text = job.description
        guard let open = text.range(of: "id: "), let close = text.lastIndex(of: ")") else { return nil }
        let id = text[open.upperBound..<close]
        return id == "nil" || id.isEmpty ? nil : String(id)
    }

    // MARK: Running

    /// Runs `body` under a seeded `strategy` until it finishes, deadlocks or takes `maxSteps` steps.
    ///
    /// Blocks the calling thread for the whole run (jobs run on it). Complexity: O(steps × runnable jobs).
    public static func run(
        seed: UInt64, strategy: ScheduleStrategy = .randomWalk, maxSteps: Int = 200_000,
        _ body: @escaping @Sendable () async throws -> Void
    ) -> ScheduleOutcome {
        var state = StrategyState(strategy: strategy, seed: seed)
        return ScheduleController().execute(
            trace: ScheduleTrace(seed: seed, strategy: strategy), maxSteps: maxSteps,
            choose: { step, runnable in state.choose(step: step, runnable: runnable) }, body)
    }

    /// Replays a recorded run: the same choices, step by step. A trace that no longer fits the program (it asks
    /// for a job that is not there) ends the replay with `.failed`, naming the step.
    public static func replay(
        _ trace: ScheduleTrace, maxSteps: Int = 200_000, _ body: @escaping @Sendable () async throws -> Void
    ) -> ScheduleOutcome {
        ScheduleController().execute(
            trace: ScheduleTrace(seed: trace.seed, strategy: trace.strategy), maxSteps: min(maxSteps, trace.choices.count),
            choose: { step, runnable in
                let index = step - 1 < trace.choices.count ? trace.choices[step - 1] : -1
                return index < runnable.count ? index : -1
            }, body)
    }

    /// Runs `body` once per seed in `seeds` and counts distinct interleavings and failures.
    public static func explore(
        seeds: Range<UInt64>, strategy: ScheduleStrategy = .randomWalk, maxSteps: Int = 200_000,
        _ body: @escaping @Sendable () async throws -> Void
    ) -> ScheduleExploration {
        var signatures: Set<UInt64> = []
        var firstFailure: ScheduleOutcome?
        var failures = 0
        for seed in seeds {
            let outcome = run(seed: seed, strategy: strategy, maxSteps: maxSteps, body)
            signatures.insert(outcome.trace.interleavingSignature)
            if !outcome.isCompleted {
                failures += 1
                if firstFailure == nil { firstFailure = outcome }
            }
        }
        return ScheduleExploration(
            runs: seeds.count, distinctInterleavings: signatures.count, firstFailure: firstFailure, failures: failures)
    }

    private func execute(
        trace initial: ScheduleTrace, maxSteps: Int, choose: (Int, [String]) -> Int,
        _ body: @escaping @Sendable () async throws -> Void
    ) -> ScheduleOutcome {
        let result = Mutex<ScheduleOutcome.Ending?>(nil)
        // The one unstructured task: the root of the controlled run, so that its executor preference is ours.
        #if SLUICE_SCHEDULE_HOOKS
        let observer = ControllerObserver(controller: self)
        let root = Task(executorPreference: self) {
            await _ChannelObservation.$observer.withValue(observer) {
                await Self.record(body, into: result)
            }
        }
        #else
        let root = Task(executorPreference: self) { await Self.record(body, into: result) }
        #endif
        runThread.store(currentThreadIdentity(), ordering: .relaxed)
        var trace = initial
        var ending: ScheduleOutcome.Ending?
        while ending == nil {
            if let finished = result.withLock({ $0 }) {
                ending = finished
                break
            }
            let runnable = pending.withLock { $0.map(\.task) }
            if runnable.isEmpty {
                ending = .deadlock(waitForGraph())
                break
            }
            if trace.choices.count >= maxSteps {
                ending = .stepLimit
                break
            }
            let step = trace.choices.count + 1
            let index = choose(step, runnable)
            guard index >= 0 else {
                ending = .failed("replay diverged at step \(step): \(runnable.count) jobs runnable")
                break
            }
            let job = pending.withLock { pending in
                let job = pending.remove(at: index)
                runningTask = job.task
                return job
            }
            trace.choices.append(index)
            trace.tasks.append(job.task)
            currentTask = job.task
            job.job.runSynchronously(on: asUnownedTaskExecutor())
            pending.withLock { _ in runningTask = nil }
        }
        // Unwind an unfinished run: cancel it and drain what cancellation makes runnable, so suspended tasks end.
        if result.withLock({ $0 }) == nil {
            root.cancel()
            drainAfterCancellation(limit: maxSteps)
        }
        return ScheduleOutcome(ending: ending ?? .stepLimit, trace: trace)
    }

    private static func record(
        _ body: @Sendable () async throws -> Void, into result: borrowing Mutex<ScheduleOutcome.Ending?>
    ) async {
        do {
            try await body()
            result.withLock { $0 = .completed }
        } catch {
            result.withLock { $0 = .failed(String(describing: error)) }
        }
    }

    private func drainAfterCancellation(limit: Int) {
        var steps = 0
        while steps < limit, let job = pending.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            steps += 1
            currentTask = job.task
            job.job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    private func waitForGraph() -> WaitForGraph {
        var waiters: [WaitForGraph.Waiter] = []
        // Sorted: dictionary order differs between dictionaries, and a replayed deadlock must compare equal.
        for (task, wait) in waits.sorted(by: { $0.key < $1.key }) {
            let wakers = uses.filter { other, use in
                other != task && (wait.isSending ? use.receives : use.sends).contains(wait.channel)
            }.keys
            waiters.append(
                WaitForGraph.Waiter(
                    task: task, stage: stages[task], channel: wait.channel, isSending: wait.isSending,
                    wakers: wakers.sorted()))
        }
        return WaitForGraph(waiters: waiters, stages: stages)
    }
}

#if SLUICE_SCHEDULE_HOOKS
/// Feeds channel events to the controller. Only called from jobs, which run on the controller's thread.
///
/// `@unchecked Sendable`: confinement to the thread inside `ScheduleController.run`.
final class ControllerObserver: _ChannelObserver, @unchecked Sendable {
    unowned let controller: ScheduleController

    init(controller: ScheduleController) {
        self.controller = controller
    }

    func channelAccessed(_ channel: String, sending: Bool) {
        if let stage = _ChannelObservation.stage { controller.stages[controller.currentTask] = stage }
        var use = controller.uses[controller.currentTask] ?? (sends: [], receives: [])
        if sending { use.sends.insert(channel) } else { use.receives.insert(channel) }
        controller.uses[controller.currentTask] = use
    }

    func channelWillSuspend(_ channel: String, sending: Bool) {
        if let stage = _ChannelObservation.stage { controller.stages[controller.currentTask] = stage }
        controller.waits[controller.currentTask] = (channel, sending)
    }

    func channelDidResume(_ channel: String, sending: Bool) {
        controller.waits[controller.currentTask] = nil
    }
}
#endif
