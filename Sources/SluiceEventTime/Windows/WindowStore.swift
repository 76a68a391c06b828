import Synchronization

/// The keyed window state of one window stage, split into lock stripes by key hash: a reader (a state-size
/// probe, a checkpoint capture) locks one stripe at a time, never the whole state, and the stage itself takes
/// one uncontended stripe lock per key access.
@usableFromInline final class WindowStore<Key: Hashable & Sendable, Partial: Sendable>: Sendable {
    @usableFromInline final class Stripe: Sendable {
        @usableFromInline let state = Mutex([Key: KeyWindowState<Key, Partial>]())

        @inlinable
        init() {}
    }

    @usableFromInline let stripes: [Stripe]
    @usableFromInline let mask: Int

    @inlinable init(stripes count: Int) {
        stripes = (0..<count).map { _ in Stripe() }
        mask = count - 1
    }

    /// The stripe `key` lives in.
    @inline(__always)
    @inlinable func stripe(for key: Key) -> Stripe { stripes[key.hashValue & mask] }

    /// Calls `body` with every key's state, stripe by stripe. O(keys).
    @inlinable func forEach(_ body: (KeyWindowState<Key, Partial>) throws -> Void) rethrows {
        for stripe in stripes {
            try stripe.state.withLock { states in for state in states.values { try body(state) } }
        }
    }

    /// Removes every key.
    @inlinable func removeAll() {
        for stripe in stripes { stripe.state.withLock { $0.removeAll() } }
    }
}
