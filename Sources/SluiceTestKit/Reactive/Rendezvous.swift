import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The thread-level helpers behind the two concurrency rules the kits check (1.3 and 2.7).
enum Rendezvous {
    /// Yields the processor until `condition` holds or `limit` yields have passed.
    ///
    /// A yield, unlike a busy spin, hands the processor to other runnable threads, so the thread being waited for
    /// gets to run even on a loaded machine; on an idle one each yield returns at once. No clock is read: the
    /// bound is a count, and the outcome never depends on how long anything took.
    static func yield(until condition: () -> Bool, limit: Int = 10_000) {
        var yields = 0
        while !condition() && yields < limit {
            sched_yield()
            yields += 1
        }
    }

    /// A serial queue of its own: it targets dispatch's overcommitting pool, so it gets a thread even when every
    /// worker of the global queues (and Swift's cooperative pool) is busy.
    static let secondSide = DispatchQueue(label: "sluice.testkit.rendezvous")

    /// Runs `first` on the calling thread and `second` on a dispatch worker thread, at the same time, and returns
    /// when both have returned. Not `concurrentPerform`, which may run both on one thread in turn; and not a new
    /// `Thread` per call: thread exits racing jemalloc's statistics refresh (`epoch`) hung jemalloc 5.3.0 in a
    /// test process, and dispatch's workers outlive the call.
    static func both(_ first: () -> Void, _ second: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        secondSide.async {
            second()
            done.signal()
        }
        first()
        done.wait()
    }
}
