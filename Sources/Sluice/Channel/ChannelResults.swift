/// The result of a non-suspending ``BoundedChannel/trySend(_:)`` or ``BoundedChannel/trySend(contentsOf:)``.
public enum ChannelTrySendResult: Sendable, Hashable {
    /// The channel took every element. Under a drop policy some may have been discarded; see
    /// ``ChannelStatistics``.
    case enqueued
    /// No room (policy ``ChannelOverflowPolicy/wait`` or ``ChannelOverflowPolicy/fail``): only the first
    /// `acceptedCount` elements were enqueued; the caller still owns the rest.
    case full(acceptedCount: Int)
    /// The channel is finished: only the first `acceptedCount` elements were enqueued (0 for a single send).
    case finished(acceptedCount: Int)
}

/// The result of a non-suspending ``BoundedChannel/tryReceive()`` or
/// ``BoundedChannel/tryReceive(into:maxCount:)``.
public enum ChannelTryReceiveResult<Value> {
    /// An element (single receive) or the number of elements appended (batch receive, at least 1).
    case value(Value)
    /// Nothing buffered yet; the channel is still open.
    case empty
    /// The channel was finished and everything buffered has been received.
    case finished
    /// The channel was failed with this error and everything buffered has been received.
    case failed(any Error)
}

extension ChannelTryReceiveResult: Sendable where Value: Sendable {}
