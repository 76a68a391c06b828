/// Produces a pipeline's elements, a batch at a time.
///
/// The engines call `read` repeatedly from one thread or task; a source is never shared between runs (each run
/// works on its own copy). A source that throws fails the run: unlike a stage error, it is not routed.
public protocol PipelineSource<Element>: Sendable {
    /// The elements produced.
    associatedtype Element: Sendable

    /// Appends at most `maxCount` elements to `buffer` (which the engine empties between calls).
    /// - Returns: `false` once the source is exhausted; the elements appended by that last call are still used.
    mutating func read(into buffer: inout [Element], maxCount: Int) throws -> Bool

    /// Like `read`, but may suspend (a `BridgeSource` waits for its channel). The `ConcurrentEngine` and the
    /// `SyncEngine`'s `async` run call this; the default calls `read`.
    ///
    /// Suspends only while no element is available yet (a network source waiting for bytes, a bridge waiting
    /// for its producer). The engine calls it again only once the previous batch has been handed on, so a full
    /// channel downstream stops the reading (backpressure). Cancellation: a source waiting on a channel
    /// (`BridgeSource`, a publisher's) throws `CancellationError` having appended nothing; the network sources
    /// are not interrupted mid-wait (it ends with the next bytes, the connection's end, or Redis's `BLOCK`
    /// timeout), and the cancelled run stops at its next suspension point.
    mutating func readAsync(into buffer: inout [Element], maxCount: Int) async throws -> Bool

    /// The timeout guard a framing stage right after this source gets unless the pipeline names one: nil (none)
    /// for sources that cannot stall, such as files; `FramingIdleTimeout.networkDefault` for network sources,
    /// which also emit an empty chunk as a tick while idle so the guard can fire.
    var framingIdleTimeout: FramingIdleTimeout? { get }
}

extension PipelineSource {
    /// No timeout guard by default.
    public var framingIdleTimeout: FramingIdleTimeout? { nil }

    /// Calls the synchronous `read`: never suspends.
    @inlinable
    public mutating func readAsync(into buffer: inout [Element], maxCount: Int) async throws -> Bool {
        try read(into: &buffer, maxCount: maxCount)
    }
}

/// A source over the elements of a sequence, such as an array or a range.
public struct SequenceSource<Base: Sequence & Sendable>: PipelineSource
where Base.Element: Sendable, Base.Iterator: Sendable {
    /// The sequence's element type.
    public typealias Element = Base.Element
    @usableFromInline var iterator: Base.Iterator

    /// Creates a source that yields `base`'s elements in order.
    @inlinable
    public init(_ base: Base) {
        iterator = base.makeIterator()
    }

    /// Appends up to `maxCount` elements from the iterator; returns false as soon as it runs out.
    @inlinable
    public mutating func read(into buffer: inout [Element], maxCount: Int) throws -> Bool {
        for _ in 0..<maxCount {
            guard let element = iterator.next() else { return false }
            buffer.append(element)
        }
        return true
    }
}

/// A source over the elements of a collection, such as an array or a range, copied a slice at a time.
public struct CollectionSource<Base: Collection & Sendable>: PipelineSource
where Base.Element: Sendable, Base.Index: Sendable {
    /// The collection's element type.
    public typealias Element = Base.Element
    @usableFromInline let base: Base
    @usableFromInline var position: Base.Index

    /// Creates a source that yields `base`'s elements in order.
    @inlinable
    public init(_ base: Base) {
        self.base = base
        position = base.startIndex
    }

    /// Appends the next slice of at most `maxCount` elements; returns false once it reaches the end. O(maxCount).
    @inlinable
    public mutating func read(into buffer: inout [Element], maxCount: Int) throws -> Bool {
        let end = base.index(position, offsetBy: maxCount, limitedBy: base.endIndex) ?? base.endIndex
        buffer.append(contentsOf: base[position..<end])
        position = end
        return position != base.endIndex
    }
}

/// A source that calls a closure for each batch, for generated workloads.
public struct GeneratorSource<Element: Sendable, State: Sendable>: PipelineSource {
    @usableFromInline var state: State
    @usableFromInline let fill: @Sendable (inout State, inout [Element], Int) throws -> Bool

    /// Creates a source. `fill(&state, &buffer, maxCount)` appends at most `maxCount` elements and returns whether
    /// more may follow.
    @inlinable
    public init(
        state: State, fill: @escaping @Sendable (inout State, inout [Element], Int) throws -> Bool
    ) {
        self.state = state
        self.fill = fill
    }

    /// Calls `fill(&state, &buffer, maxCount)` and returns its result.
    @inlinable
    public mutating func read(into buffer: inout [Element], maxCount: Int) throws -> Bool {
        try fill(&state, &buffer, maxCount)
    }
}
