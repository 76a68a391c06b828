/// The per-key logic of a parallel keyed stage: how to find an element's key, and how each key's state evolves.
///
/// Make one with `aggregate(by:initial:fold:merge:)` (a fold per key, emitted at the end, which may be split over
/// several workers when a key is hot) or `process(by:initial:step:complete:)` (any per-key state machine that may
/// emit per element; never split, so per-key order is always kept).
public struct KeyedOperation<Input: Sendable, Key: Hashable & StableHashable & Sendable, State: Sendable, Output: Sendable>:
    Sendable
{
    /// The key of an element.
    public let key: @Sendable (Input) -> Key
    @usableFromInline let initial: State
    @usableFromInline let step: @Sendable (inout State, Input, (Output) -> Void) throws -> Void
    @usableFromInline let complete: @Sendable (Key, inout State, (Output) -> Void) throws -> Void
    /// Combines a partial state into another; present only for aggregations, and what makes hot-key splitting legal.
    @usableFromInline let merge: (@Sendable (inout State, State) -> Void)?

    /// A general keyed stage: each key starts at `initial`; `step` folds one element into its key's state and may
    /// emit; `complete` runs once per key after the last element and may emit. Elements of one key are stepped in
    /// arrival order, always by one worker.
    public static func process(
        by key: @escaping @Sendable (Input) -> Key, initial: State,
        step: @escaping @Sendable (inout State, Input, (Output) -> Void) throws -> Void,
        complete: @escaping @Sendable (Key, inout State, (Output) -> Void) throws -> Void = { _, _, _ in }
    ) -> KeyedOperation {
        KeyedOperation(key: key, initial: initial, step: step, complete: complete, merge: nil)
    }
}

extension KeyedOperation {
    /// An aggregation per key: folds each element into its key's value and emits one `KeyedValue` per key after the
    /// last element.
    ///
    /// `merge` must combine two partial values into the value of the union of their elements, so the fold must be
    /// associative and commutative (sum, count, min, max, a set union); hot-key splitting relies on it: a hot
    /// key's elements are folded into partial values on several workers and merged back into the owner's value,
    /// and the output equals the unsplit run's.
    public static func aggregate<Value: Sendable>(
        by key: @escaping @Sendable (Input) -> Key, initial: Value,
        fold: @escaping @Sendable (inout Value, Input) throws -> Void,
        merge: @escaping @Sendable (inout Value, Value) -> Void
    ) -> KeyedOperation<Input, Key, Value, KeyedValue<Key, Value>> {
        KeyedOperation<Input, Key, Value, KeyedValue<Key, Value>>(
            key: key, initial: initial, step: { value, element, _ in try fold(&value, element) },
            complete: { key, value, emit in emit(KeyedValue(key: key, value: value)) }, merge: merge)
    }
}
