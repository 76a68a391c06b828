import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The thread-level helpers behind the two concurrency rules the kits check (1.3 and 2.7).
package enum Rendezvous {
    /// Yields the processor until `condition` holds or `limit` yields have passed.
    ///
    /// A yield, unlike a busy spin, hands the processor to other runnable threads, so the thread being waited for
    /// gets to run even on a loaded machine; on an idle one each yield returns at once. No clock is read: the
    /// bound is a count, and the outcome never depends on how long anything took.
    package static func yield(until condition: () -> Bool, limit: Int = 10_000) {
        var yields = 0
        while !condition() && yields < limit {
            sched_yield()
            yields += 1
        }
    }

    /// Runs `first` on the calling thread and `second` on the kit's one long-lived second thread, at the same time,
    /// and returns when both have returned.
    ///
    /// Not `concurrentPerform`, which may run both on one thread in turn; and no thread is created or ended per
    /// call: threads starting and exiting while other tests read jemalloc's statistics or install its hooks have
    /// hung and crashed jemalloc 5.3.0 in a test process.
    package static func both(_ first: () -> Void, _ second: @escaping @Sendable () -> Void) {
        let done = SecondThread.shared.start(second)
        first()
        done.wait()
    }
}

/// One thread that lives as long as the process and runs one job at a time for `Rendezvous.both`.
///
/// `@unchecked Sendable`: `jobs` is guarded by `lock`; the thread only reads it under the lock.
final class SecondThread: @unchecked Sendable {
    static let shared = SecondThread()

    private let lock = NSLock()
    private var jobs: [(job: @Sendable () -> Void, done: DispatchSemaphore)] = []
    private let ready = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in loop() }
        thread.name = "sluice-testkit-second"
        thread.start()
    }

    /// Queues `job`; the returned semaphore is signalled once it has run.
    func start(_ job: @escaping @Sendable () -> Void) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        lock.lock()
        jobs.append((job, done))
        lock.unlock()
        ready.signal()
        return done
    }

    private func loop() {
        while true {
            ready.wait()
            lock.lock()
            let next = jobs.isEmpty ? nil : jobs.removeFirst()
            lock.unlock()
            guard let next else { continue }
            next.job()
            next.done.signal()
        }
    }
}
