import DequeModule
import Foundation

/// A task executor that runs every job on one dedicated thread, in the order the jobs were enqueued.
///
/// The counting passes (allocations, instructions) run asynchronous benchmarks under this executor's preference
/// (`withTaskExecutorPreference`): the benchmark's task, its child tasks and the default actors they call all run
/// here, one job at a time. The interleaving is then a property of the code, not of the scheduler, so counts repeat
/// exactly, and they can be read from this one thread's counters. Work that leaves structured concurrency (a
/// detached task, a Dispatch queue, a thread of its own) runs elsewhere; the passes detect that by comparing
/// process-wide counts with this thread's.
///
/// `enqueue` never blocks on a job; `shutdown()` lets the thread finish the queued jobs and exit.
public final class SerialTaskExecutor: TaskExecutor, @unchecked Sendable {  // `jobs` and `isShutDown` under `condition`.
    private let condition = NSCondition()
    private var jobs: Deque<UnownedJob>
    private var isShutDown = false

    /// Starts the executor's thread.
    public init() {
        // Room for many jobs up front, so that enqueueing on the counting thread does not allocate.
        jobs = Deque(minimumCapacity: 4_096)
        let thread = Thread { [self] in loop() }
        thread.name = "sluice-bench.serial-executor"
        thread.start()
    }

    /// Queues `job` to run on the executor's thread after the jobs queued before it.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread run what is queued and exit. Jobs enqueued afterwards never run: call it only when the
    /// work under this executor is done.
    public func shutdown() {
        condition.lock()
        isShutDown = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !isShutDown { condition.wait() }
            guard let job = jobs.popFirst() else {
                condition.unlock()
                return
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
