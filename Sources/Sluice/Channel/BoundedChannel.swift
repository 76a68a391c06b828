import Synchronization

/// A multi-producer, multi-consumer FIFO channel with a bounded buffer, watermark backpressure, overflow
/// policies, batch hand-off and lock-free instrumentation.
///
/// ## Backpressure
/// The buffer holds at most `capacity` elements. What a send does when there is no room depends on the
/// ``ChannelOverflowPolicy``:
/// - ``ChannelOverflowPolicy/wait`` (the default): when a send brings the depth to the high watermark, the
///   channel closes to producers; later sends enqueue nothing and suspend. When a receive brings the depth
///   down to the low watermark, the channel reopens and the suspended producers resume one after another,
///   each enqueuing what fits. A batch accepted while the channel is open is cut at the capacity, so the
///   depth never exceeds the capacity. Defaults: high = capacity, low = capacity / 2.
/// - ``ChannelOverflowPolicy/dropOldest`` / ``ChannelOverflowPolicy/dropNewest``: sends never suspend;
///   the oldest buffered or the arriving elements are discarded and counted.
/// - ``ChannelOverflowPolicy/fail``: sends never suspend; what does not fit is refused with
///   ``ChannelError/Code/full``.
///
/// ## Order
/// Elements leave in the order they were enqueued. A batch is enqueued as one contiguous run, so with a
/// single consumer each producer's elements arrive in its send order; with several consumers each element
/// goes to exactly one of them. Suspended producers are resumed in the order they suspended, but hold no place in
/// line: once the channel reopens, a send that arrives meanwhile may enqueue first.
///
/// ## Finishing
/// ``finish()`` (or ``fail(_:)``) closes the channel: sends from then on throw ``ChannelError/Code/finished``
/// (`trySend` returns `.finished`), suspended producers are resumed with that error, and consumers first
/// drain everything buffered and then get the end (`nil`, `0`) or the failure. The first call wins.
///
/// ## Cancellation
/// Cancellation is only checked where a call would suspend. A send cancelled while suspended enqueues
/// nothing more: a single ``send(_:)`` throws `CancellationError` having enqueued nothing, a batch
/// ``send(contentsOf:)`` throws ``ChannelError/Code/cancelled`` whose ``ChannelError/acceptedCount`` is
/// the length of the prefix enqueued before it suspended. A receive cancelled while suspended throws
/// `CancellationError` and consumes nothing.
///
/// ## Non-suspending use
/// ``trySend(_:)``, ``trySend(contentsOf:)``, ``tryReceive()`` and ``tryReceive(into:maxCount:)`` never
/// suspend, so a single-threaded engine or a bridge can use the same channel without tasks; they wake
/// suspended peers like their async counterparts.
///
/// ## Cost
/// Every operation, single or batch, is one lock acquisition plus at most one clock read (only when the
/// depth changes); batch operations are the fast path. Statistics are read from atomics without the lock.
public final class BoundedChannel<Element: Sendable>: Sendable {
    @usableFromInline let storage: BoundedChannelStorage<Element>

    /// The name used in errors and statistics.
    public var name: String { storage.name }
    /// The capacity this channel was created with.
    public let capacity: ChannelCapacity
    /// What sends do when there is no room.
    public let overflowPolicy: ChannelOverflowPolicy
    /// The backpressure watermarks (meaningful for ``ChannelOverflowPolicy/wait``).
    public let watermarks: ChannelWatermarks

    /// Creates a channel.
    ///
    /// - Parameters:
    ///   - capacity: The most elements buffered at once; ``ChannelCapacity/unbounded`` only by explicit choice.
    ///   - overflowPolicy: What a send does without room; `.wait` suspends (backpressure).
    ///   - watermarks: Backpressure watermarks; `high` must not exceed the capacity. Default: high = capacity,
    ///     low = capacity / 2. Ignored when unbounded.
    ///   - name: Used in errors and statistics.
    ///   - clock: The time source for the timing statistics (tests pass `SluiceTestKit.ManualClock`). It is read
    ///     once per operation that changes the depth. `nil` switches timing off: no clock reads, and the
    ///     histogram, time at capacity and blocked time read as unavailable (`nil`); depth, maximum depth and
    ///     counters are still kept. Worth it only for single-element hand-offs, where a clock read is a large
    ///     share of the cost.
    public init(
        capacity: ChannelCapacity,
        overflowPolicy: ChannelOverflowPolicy = .wait,
        watermarks: ChannelWatermarks? = nil,
        name: String = "channel",
        clock: (any MonotonicClock)? = SystemMonotonicClock()
    ) {
        let resolved: ChannelWatermarks
        if let limit = capacity.limit {
            resolved = watermarks ?? .default(for: limit)
            precondition(resolved.high <= limit, "high watermark \(resolved.high) exceeds capacity \(limit)")
        } else {
            resolved = ChannelWatermarks(low: .max - 1, high: .max)
        }
        self.capacity = capacity
        self.overflowPolicy = overflowPolicy
        self.watermarks = resolved
        self.storage = BoundedChannelStorage(
            name: name, capacity: capacity, watermarks: resolved, policy: overflowPolicy, clock: clock)
    }

    // MARK: Sending

    /// Sends one element, suspending while the channel is closed to producers (policy `.wait`).
    ///
    /// Under the drop policies it never suspends (the element or an older one may be discarded); under `.fail`
    /// it throws ``ChannelError/Code/full`` when there is no room.
    /// - Throws: `CancellationError` if the task is cancelled while suspended (the element was not enqueued);
    ///   ``ChannelError`` with code `.finished` if the channel is or becomes finished before the element is
    ///   enqueued, `.full` under `.fail`.
    @inlinable
    public func send(_ element: Element) async throws {
        do {
            try await storage.send(contentsOf: CollectionOfOne(element))
        } catch where error.code == .cancelled {
            throw CancellationError()
        }
    }

    /// Sends a batch as one contiguous run, suspending while the channel is closed to producers (policy
    /// `.wait`): it enqueues what fits, suspends, and continues from where it stopped when the channel
    /// reopens. One lock acquisition per attempt, not per element.
    ///
    /// Complexity: O(*n*) for *n* elements.
    /// - Throws: ``ChannelError`` whose ``ChannelError/acceptedCount`` is the number of leading elements that
    ///   were enqueued (the rest were not): `.cancelled` if the task is cancelled while suspended, `.finished`
    ///   if the channel is or becomes finished, `.full` under `.fail` when not everything fits. The error is
    ///   typed; in Swift 6 mode a `do` block infers it only when written `do throws(ChannelError) { … }`.
    @inlinable
    public func send<C: Collection<Element>>(contentsOf elements: C) async throws(ChannelError) {
        try await storage.send(contentsOf: elements)
    }

    /// Enqueues one element if there is room, without suspending.
    ///
    /// Under `.wait` and `.fail` a channel without room returns `.full(acceptedCount: 0)`; the drop policies
    /// always return `.enqueued` (possibly discarding). After ``finish()`` it returns `.finished`.
    @inlinable
    public func trySend(_ element: Element) -> ChannelTrySendResult {
        storage.trySend(contentsOf: CollectionOfOne(element))
    }

    /// Enqueues as much of a batch as there is room for, without suspending.
    ///
    /// Complexity: O(*n*) for *n* elements.
    /// - Returns: `.enqueued` when the channel took everything, else `.full` / `.finished` with the number of
    ///   leading elements that were enqueued.
    @inlinable
    public func trySend<C: Collection<Element>>(contentsOf elements: C) -> ChannelTrySendResult {
        storage.trySend(contentsOf: elements)
    }

    // MARK: Receiving

    /// Receives the next element, suspending while the channel is empty and open.
    ///
    /// Receiving below the low watermark reopens a closed channel and resumes waiting producers.
    /// - Returns: The element, or `nil` once the channel is finished and drained.
    /// - Throws: The error given to ``fail(_:)`` once drained; `CancellationError` if the task is cancelled
    ///   while suspended (nothing is consumed).
    @inlinable
    public func receive() async throws -> Element? {
        try await storage.receive { $0.receive() }
    }

    /// Appends up to `maxCount` buffered elements to `buffer`, suspending while the channel is empty and open.
    ///
    /// This is the fast path: one lock acquisition moves the whole batch. Keep `buffer`'s capacity between
    /// calls (`removeAll(keepingCapacity: true)`) so the hand-off does not allocate.
    /// Complexity: O(*k*) for the *k* elements appended.
    /// - Returns: How many elements were appended (at least 1), or 0 once the channel is finished and drained.
    /// - Throws: The error given to ``fail(_:)`` once drained; `CancellationError` if the task is cancelled
    ///   while suspended (nothing is consumed).
    @inlinable
    public func receive(into buffer: inout [Element], maxCount: Int) async throws -> Int {
        try await storage.receive { $0.receive(into: &buffer, maxCount: maxCount) } ?? 0
    }

    /// Takes the next element if one is buffered, without suspending.
    @inlinable
    public func tryReceive() -> ChannelTryReceiveResult<Element> {
        storage.tryReceive { $0.receive() }
    }

    /// Appends up to `maxCount` buffered elements to `buffer` without suspending; the value is how many.
    ///
    /// Complexity: O(*k*) for the *k* elements appended.
    @inlinable
    public func tryReceive(into buffer: inout [Element], maxCount: Int) -> ChannelTryReceiveResult<Int> {
        storage.tryReceive { $0.receive(into: &buffer, maxCount: maxCount) }
    }

    // MARK: Termination

    /// Closes the channel: no more sends; consumers drain what is buffered and then see the end.
    ///
    /// Suspended producers resume and throw ``ChannelError/Code/finished``; suspended consumers resume.
    /// Calling it again, or after ``fail(_:)``, does nothing.
    /// Complexity: O(*w*) for *w* suspended producers and consumers.
    public func finish() {
        storage.finish(error: nil)
    }

    /// Closes the channel with an error: like ``finish()``, but once drained consumers get `error` thrown.
    public func fail(_ error: any Error) {
        storage.finish(error: error)
    }

    /// Whether ``finish()`` or ``fail(_:)`` was called. Takes the lock.
    public var isFinished: Bool { storage.isFinished }

    // MARK: Instrumentation

    /// The number of buffered elements, read from an atomic without the lock.
    @inlinable
    public var depth: Int { storage.instruments.depth.load(ordering: .relaxed) }

    /// The largest depth reached so far, read from an atomic without the lock.
    @inlinable
    public var maxDepth: Int { storage.instruments.maxDepth.load(ordering: .relaxed) }

    /// A snapshot of all counters and the time-weighted depth histogram, read without the lock.
    ///
    /// Complexity: O(log *capacity*) for the histogram.
    public func statistics() -> ChannelStatistics {
        storage.statistics()
    }
}
