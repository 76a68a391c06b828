import Sluice
import SluiceTestKit
import Synchronization
import Testing

/// Records hook calls in order.
final class HookLog: Sendable {
    private let events = Mutex<[String]>([])
    var entries: [String] { events.withLock { $0 } }
    var hooks: StageHooks {
        StageHooks(
            onStart: { name in self.events.withLock { $0.append("start \(name)") } },
            onStop: { name in self.events.withLock { $0.append("stop \(name)") } })
    }
}

/// Counts every element it has ever seen, across runs when pooled.
struct LifetimeCounter: StageOperator {
    var seen = 0
    var isPure: Bool { false }
    var kind: StageKind { .stateful }
    mutating func process(_ input: Int, emit: (Int) -> Void) throws {
        seen += 1
        emit(seen)
    }
}

@Suite struct StageLifecycleTests {
    @Test func onDemandStartsOnFirstElementContinuousAtRunStart() throws {
        let log = HookLog()
        let pipeline = Pipeline.source([Int]())
            .stage("lazy", MapOperator<Int, Int> { $0 }, hooks: log.hooks)
            .stage("eager", MapOperator<Int, Int> { $0 }, lifecycle: .continuous, hooks: log.hooks)
            .sink(OutputCollector<Int>())
        _ = try SyncEngine().run(pipeline)
        #expect(log.entries == ["start eager", "stop eager"])

        let busy = HookLog()
        let withInput = Pipeline.source([1, 2, 3])
            .stage("lazy", MapOperator<Int, Int> { $0 }, hooks: busy.hooks)
            .stage("eager", MapOperator<Int, Int> { $0 }, lifecycle: .continuous, hooks: busy.hooks)
            .sink(OutputCollector<Int>())
        _ = try SyncEngine().run(withInput)
        #expect(busy.entries == ["start eager", "start lazy", "stop lazy", "stop eager"])
    }

    @Test func persistentStageKeepsStateAcrossRunsThroughThePool() throws {
        let pool = StagePool(capacity: 1) { LifetimeCounter() }
        let output = OutputCollector<Int>()
        let pipeline = Pipeline.source([10, 20])
            .stage("counter", LifetimeCounter(), lifecycle: .persistent, pool: pool)
            .sink(output)
        _ = try SyncEngine().run(pipeline)
        _ = try SyncEngine().run(pipeline)
        #expect(output.elements == [1, 2, 3, 4])
        #expect(pool.createdCount == 1)
        #expect(pool.reusedCount == 1)
        #expect(pool.idleCount == 1)
    }

    @Test func onDemandStageStartsFreshEveryRun() throws {
        let output = OutputCollector<Int>()
        let pipeline = Pipeline.source([10, 20]).stage("counter", LifetimeCounter()).sink(output)
        _ = try SyncEngine().run(pipeline)
        _ = try SyncEngine().run(pipeline)
        #expect(output.elements == [1, 2, 1, 2])
    }

    @Test func poolKeepsAtMostItsCapacityAndEvictsTheRest() {
        let pool = StagePool(capacity: 2) { LifetimeCounter() }
        let instances = (0..<3).map { _ in pool.acquire() }
        #expect(pool.createdCount == 3)
        #expect(instances.map { pool.release($0) } == [true, true, false])
        #expect(pool.idleCount == 2)
        #expect(pool.evictedCount == 1)
        _ = pool.acquire()
        #expect(pool.reusedCount == 1)
        #expect(pool.idleCount == 1)
    }

    @Test func stopHooksRunWhenTheSinkFails() {
        struct SinkFailure: Error {}
        let log = HookLog()
        let pipeline = Pipeline.source([1])
            .stage("s", MapOperator<Int, Int> { $0 }, hooks: log.hooks)
            .sink(BatchSink<Int> { _ in throw SinkFailure() })
        #expect(throws: SinkFailure.self) { try SyncEngine().run(pipeline) }
        #expect(log.entries == ["start s", "stop s"])
    }
}
