import Synchronization

/// A pool of idle `Persistent` stage instances, with a cap on how many it keeps.
///
/// A run takes an instance when it starts (`acquire`) and gives it back when it stops (`release`), so a stage's
/// state carries over to the next run instead of being rebuilt. When the pool already holds `capacity` idle
/// instances, a released instance is dropped (and counted in `evictedCount`), which bounds the memory that
/// persistent stages can retain. Thread-safe: a `Mutex` guards the idle list.
public final class StagePool<Operator: StageOperator>: Sendable {
    private struct State {
        var idle: [Operator] = []
        var createdCount = 0
        var reusedCount = 0
        var evictedCount = 0
    }

    /// The most idle instances the pool keeps.
    public let capacity: Int
    private let make: @Sendable () -> Operator
    private let state = Mutex(State())

    /// Creates a pool that keeps at most `capacity` idle instances and makes new ones with `make`.
    /// - Precondition: `capacity >= 0`.
    public init(capacity: Int, make: @escaping @Sendable () -> Operator) {
        precondition(capacity >= 0, "StagePool capacity must not be negative")
        self.capacity = capacity
        self.make = make
    }

    /// Takes an idle instance, or makes a new one when none is idle. O(1).
    public func acquire() -> Operator {
        let reused: Operator? = state.withLock { state in
            if let instance = state.idle.popLast() {
                state.reusedCount += 1
                return instance
            }
            state.createdCount += 1
            return nil
        }
        return reused ?? make()
    }

    /// Returns an instance; it is kept if fewer than `capacity` are idle, dropped otherwise.
    /// - Returns: whether the instance was kept.
    @discardableResult
    public func release(_ instance: Operator) -> Bool {
        state.withLock { state in
            guard state.idle.count < capacity else {
                state.evictedCount += 1
                return false
            }
            state.idle.append(instance)
            return true
        }
    }

    /// How many instances are idle in the pool now.
    public var idleCount: Int { state.withLock { $0.idle.count } }
    /// How many instances the pool has made.
    public var createdCount: Int { state.withLock { $0.createdCount } }
    /// How many acquisitions were served from the idle list.
    public var reusedCount: Int { state.withLock { $0.reusedCount } }
    /// How many released instances were dropped because the pool was full.
    public var evictedCount: Int { state.withLock { $0.evictedCount } }
}
