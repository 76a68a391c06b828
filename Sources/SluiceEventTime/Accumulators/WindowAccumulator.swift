/// How a window stage aggregates elements: create an empty partial aggregate, add an element to it, combine two
/// partials, optionally retract one from another, and turn a partial into the emitted value.
///
/// `combine` must be associative and `create()` its identity: the stage adds each element to one
/// non-overlapping slice and builds a sliding window by combining its slices, and it merges session windows
/// by combining their partials. `retract(_:from:)`, when `canRetract` is true, must undo `combine`: the
/// stage then keeps a running partial per key for sliding windows and moves it from one window to the next
/// with one combine and one retract per slice, instead of combining every slice of the window.
public protocol WindowAccumulator<Input, Output>: Sendable {
    /// The element type aggregated.
    associatedtype Input: Sendable
    /// The partial aggregate.
    associatedtype Partial: Sendable
    /// The value emitted when a window fires.
    associatedtype Output: Sendable

    /// An empty partial: the identity of `combine`.
    func create() -> Partial
    /// Adds one element.
    func add(_ input: Input, to partial: inout Partial)
    /// Adds `other` into `partial`.
    func combine(_ other: Partial, into partial: inout Partial)
    /// The emitted value of `partial`.
    func result(_ partial: Partial) -> Output
    /// Whether `retract(_:from:)` is implemented.
    var canRetract: Bool { get }
    /// Removes `other` (previously combined in) from `partial`. Called only when `canRetract`.
    func retract(_ other: Partial, from partial: inout Partial)
}

extension WindowAccumulator {
    /// No retraction by default.
    public var canRetract: Bool { false }

    /// Not called unless `canRetract` is true.
    public func retract(_ other: Partial, from partial: inout Partial) {
        preconditionFailure("\(Self.self) does not implement retract; canRetract must be false")
    }
}

/// A count and sum of `Int64` values taken from each element: the accumulator of the tests and benchmarks,
/// with retraction.
public struct SumAccumulator<Input: Sendable>: WindowAccumulator {
    /// A count and a sum.
    public struct Partial: Sendable, Hashable {
        /// Elements added.
        public var count: Int64
        /// The sum of their values.
        public var sum: Int64

        /// Creates a partial.
        public init(count: Int64 = 0, sum: Int64 = 0) {
            self.count = count
            self.sum = sum
        }
    }

    @usableFromInline let value: @Sendable (Input) -> Int64

    /// Sums `value(element)` over each window.
    public init(_ value: @escaping @Sendable (Input) -> Int64) { self.value = value }

    /// A zero count and sum.
    @inlinable public func create() -> Partial { Partial() }

    /// Adds 1 to the count and `value(input)` to the sum (wrapping on overflow).
    @inlinable
    public func add(_ input: Input, to partial: inout Partial) {
        partial.count &+= 1
        partial.sum &+= value(input)
    }

    /// Adds `other`'s count and sum to `partial`'s (wrapping on overflow).
    @inlinable
    public func combine(_ other: Partial, into partial: inout Partial) {
        partial.count &+= other.count
        partial.sum &+= other.sum
    }

    /// The partial itself: a window emits its count and sum.
    @inlinable public func result(_ partial: Partial) -> Partial { partial }

    /// Always true: `retract(_:from:)` subtracts.
    public var canRetract: Bool { true }

    /// Subtracts `other`'s count and sum from `partial`'s (wrapping on overflow).
    @inlinable
    public func retract(_ other: Partial, from partial: inout Partial) {
        partial.count &-= other.count
        partial.sum &-= other.sum
    }
}
