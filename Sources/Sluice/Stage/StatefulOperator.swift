/// A stage that carries an explicit state value from one element to the next (scan, reduce, aggregate by key).
///
/// Stateful stages are never pure, so they never fuse: each one is its own segment.
public struct StatefulOperator<State: Sendable, Input: Sendable, Output: Sendable>: StageOperator {
    /// The current state; starts at the value given to `init` on every run (unless the stage is pooled).
    public var state: State
    @usableFromInline let step: @Sendable (inout State, Input, (Output) -> Void) throws -> Void
    @usableFromInline let complete: @Sendable (inout State, (Output) -> Void) throws -> Void

    /// Creates the operator.
    /// - Parameters:
    ///   - initial: the state before the first element.
    ///   - step: updates the state for one element and may emit outputs.
    ///   - complete: called after the last element; may emit what the state still holds.
    @inlinable
    public init(
        initial: State,
        step: @escaping @Sendable (inout State, Input, (Output) -> Void) throws -> Void,
        complete: @escaping @Sendable (inout State, (Output) -> Void) throws -> Void = { _, _ in }
    ) {
        self.state = initial
        self.step = step
        self.complete = complete
    }

    /// Never pure: the output depends on earlier elements.
    @inlinable
    public var isPure: Bool { false }

    /// Stateful, as statistics report it.
    @inlinable
    public var kind: StageKind { .stateful }

    /// Runs `step` on the state and the element; it may emit any number of outputs.
    @inlinable
    public mutating func process(_ input: Input, emit: (Output) -> Void) throws {
        try step(&state, input, emit)
    }

    /// Runs `complete` on the state; it may emit what the state still holds.
    @inlinable
    public mutating func finish(emit: (Output) -> Void) throws {
        try complete(&state, emit)
    }
}

/// A key and the value accumulated for it, emitted by an aggregate-by-key stage.
public struct KeyedValue<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// The group's key.
    public var key: Key
    /// The group's accumulated value.
    public var value: Value

    /// Creates a keyed value.
    public init(key: Key, value: Value) {
        self.key = key
        self.value = value
    }
}

extension KeyedValue: Equatable where Value: Equatable {}
extension KeyedValue: Hashable where Value: Hashable {}

/// The state of an aggregate-by-key stage: groups in order of first appearance, so output order is deterministic.
public struct KeyedAggregation<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    @usableFromInline var indexByKey: [Key: Int] = [:]
    @usableFromInline var groups: [KeyedValue<Key, Value>] = []

    /// Creates an empty aggregation.
    @inlinable
    public init() {}

    /// Folds `element` into its group. Amortized O(1).
    @inlinable
    public mutating func fold<Element>(
        _ element: Element, key: Key, initial: Value, combine: (inout Value, Element) throws -> Void
    ) rethrows {
        if let index = indexByKey[key] {
            try combine(&groups[index].value, element)
        } else {
            var value = initial
            try combine(&value, element)
            indexByKey[key] = groups.count
            groups.append(KeyedValue(key: key, value: value))
        }
    }

    /// The groups, in order of first appearance.
    @inlinable
    public var values: [KeyedValue<Key, Value>] { groups }
}
