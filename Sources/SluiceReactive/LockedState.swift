import Synchronization

/// A value guarded by a mutex, for state that holds non-`Sendable` Combine values (subscribers, subscriptions).
///
/// `@unchecked Sendable`: `value` is only read or written inside `withLock`, under `lock`. Unlike `Mutex`, it
/// does not ask for `sending` values, because Combine's protocols do not mark subscribers as `Sendable`.
@usableFromInline
package final class LockedState<Value>: @unchecked Sendable {
    @usableFromInline let lock = Mutex(())
    @usableFromInline var value: Value

    @inlinable
    package init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value. Never call a subscriber or subscription inside `body`.
    @inlinable
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try lock.withLock { _ in try body(&value) }
    }
}
