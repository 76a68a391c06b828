/// The states of the keys of one key group, in order of first appearance (so that output order is deterministic).
public struct KeyGroupState<Key: Hashable & Sendable, State: Sendable>: Sendable {
    @usableFromInline var indexByKey: [Key: Int] = [:]
    /// The keys, in order of first appearance.
    public internal(set) var keys: [Key] = []
    /// The states, parallel to `keys`.
    public internal(set) var states: [State] = []

    @inlinable
    init() {}

    /// A group's state as a checkpoint restores it: `keys[i]` has state `states[i]`, in this order.
    /// - Precondition: as many states as keys, and no key twice. O(keys).
    public init(keys: [Key], states: [State]) {
        precondition(keys.count == states.count, "one state per key")
        self.keys = keys
        self.states = states
        for (index, key) in keys.enumerated() {
            precondition(indexByKey.updateValue(index, forKey: key) == nil, "key \(key) appears twice in a key group")
        }
    }

    /// The number of keys in the group.
    public var count: Int { keys.count }
}

/// One worker's keyed state, kept per key group so that rescaling moves whole groups with their state.
///
/// Confined to the worker task that owns it; groups move between workers only as values, through the router.
struct KeyGroupStateTable<Key: Hashable & Sendable, State: Sendable>: Sendable {
    private(set) var groups: [Int: KeyGroupState<Key, State>] = [:]

    /// Runs `body` on `key`'s state (created from `initial` on first use). Amortized O(1).
    @inline(__always)
    mutating func update<R>(
        _ key: Key, group: Int, initial: State, _ body: (inout State) throws -> R
    ) rethrows -> R {
        try groups[group, default: KeyGroupState()].update(key, initial: initial, body)
    }

    /// Removes and returns the groups for which `isMoving` holds. O(groups held).
    mutating func extract(where isMoving: (Int) -> Bool) -> [Int: KeyGroupState<Key, State>] {
        let moving = groups.filter { isMoving($0.key) }
        for group in moving.keys { groups[group] = nil }
        return moving
    }

    /// Takes ownership of moved groups. - Precondition: none of them is held already.
    mutating func adopt(_ moved: [Int: KeyGroupState<Key, State>]) {
        for (group, state) in moved {
            precondition(groups[group] == nil, "key group \(group) adopted twice")
            groups[group] = state
        }
    }

    /// Every key and state, groups ascending, keys in order of first appearance. O(keys + groups log groups).
    func forEach(_ body: (Key, State) throws -> Void) rethrows {
        for group in groups.keys.sorted() {
            // The key comes from `groups.keys`.
            let state = groups[group]!
            for index in state.keys.indices { try body(state.keys[index], state.states[index]) }
        }
    }

    /// Runs `operation.complete` on every key, in `forEach` order, routing failures to dead letters; returns how
    /// many failed. O(keys + groups log groups).
    func complete<Input, Output>(
        _ operation: KeyedOperation<Input, Key, State, Output>, router: DeadLetterRouter, stageName: String,
        emit: (Output) -> Void
    ) -> Int {
        var failures = 0
        forEach { key, state in
            var state = state
            do {
                try operation.complete(key, &state, emit)
            } catch {
                failures += 1
                router.route(element: "<complete \(key)>", error: error, stageName: stageName)
            }
        }
        return failures
    }

    /// The number of keys held. O(groups).
    var keyCount: Int { groups.values.reduce(0) { $0 + $1.count } }
}

extension KeyGroupState {
    /// Runs `body` on `key`'s state, created from `initial` on first use. Amortized O(1).
    @inline(__always)
    mutating func update<R>(_ key: Key, initial: State, _ body: (inout State) throws -> R) rethrows -> R {
        if let index = indexByKey[key] { return try body(&states[index]) }
        indexByKey[key] = keys.count
        keys.append(key)
        states.append(initial)
        return try body(&states[states.count - 1])
    }
}
