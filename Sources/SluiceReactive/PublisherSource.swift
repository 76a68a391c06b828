import OpenCombine
import Sluice
import Synchronization

/// An OpenCombine publisher as a pipeline source: the pipeline subscribes when its run starts and requests only
/// as many elements as it has room for.
///
/// Demand is channel credit (the design document's credit-based upstream request, section 4.6): the first request
/// is the buffer's `capacity`, and every batch the engine takes out of the buffer is requested again, so the
/// outstanding demand plus the buffered elements never exceed `capacity`. A publisher that sends more than it was
/// asked for fails the run with `ReactiveError.demandExceeded` (Reactive Streams rule 1.1).
///
/// - Suspension: under `ConcurrentEngine.run` or `SyncEngine.runAsync`, a read suspends while the buffer is empty
///   and the publisher has not completed. The synchronous `SyncEngine.run` cannot wait: there, a publisher that
///   does not emit synchronously inside `request` fails the run with `ReactiveError.wouldSuspend`.
/// - Completion: `.finished` ends the source after the buffer drains; `.failure(e)` fails the run with `e`.
/// - Cancellation: when the run is cancelled or fails while reading, the subscription is cancelled.
/// - Each run subscribes anew, so running the pipeline twice subscribes twice.
public struct PublisherSource<Upstream: Publisher>: PipelineSource where Upstream.Output: Sendable {
    /// The publisher's output.
    public typealias Element = Upstream.Output

    @usableFromInline let upstream: UncheckedBox<Upstream>
    /// The most elements buffered or requested at once.
    public let capacity: Int
    @usableFromInline var link: PublisherLink<Upstream>?

    /// Creates a source over `upstream`.
    /// - Precondition: `capacity > 0`.
    @inlinable
    public init(_ upstream: Upstream, capacity: Int = 1_024) {
        precondition(capacity > 0, "capacity must be positive")
        self.upstream = UncheckedBox(upstream)
        self.capacity = capacity
    }

    /// Subscribes on the first call, then takes up to `maxCount` buffered elements without waiting and requests
    /// as many again; false once the publisher finished and the buffer drained. Never blocks: an empty buffer
    /// cancels the subscription and throws `ReactiveError.wouldSuspend`.
    @inlinable
    public mutating func read(into buffer: inout [Element], maxCount: Int) throws -> Bool {
        let link = started()
        switch link.channel.tryReceive(into: &buffer, maxCount: maxCount) {
        case .value(let count):
            link.consumed(count)
            return true
        case .finished:
            return false
        case .failed(let error):
            throw error
        case .empty:
            link.cancel()
            throw ReactiveError(
                .wouldSuspend,
                "the publisher did not emit synchronously; run the pipeline with ConcurrentEngine.run or "
                    + "SyncEngine.runAsync")
        }
    }

    /// Subscribes on the first call, then suspends while the buffer is empty and the publisher has not completed;
    /// takes up to `maxCount` elements and requests as many again. Cancellation while suspended, or any error,
    /// cancels the subscription and rethrows (`CancellationError`, or the publisher's failure).
    @inlinable
    public mutating func readAsync(into buffer: inout [Element], maxCount: Int) async throws -> Bool {
        let link = started()
        let count: Int
        do {
            count = try await link.channel.receive(into: &buffer, maxCount: maxCount)
        } catch {
            link.cancel()
            throw error
        }
        link.consumed(count)
        return count > 0
    }

    @inlinable
    mutating func started() -> PublisherLink<Upstream> {
        if let link { return link }
        let link = PublisherLink<Upstream>(capacity: capacity)
        self.link = link
        upstream.value.subscribe(link)
        return link
    }
}

extension Pipeline {
    /// Starts a pipeline at an OpenCombine publisher, requesting at most `capacity` elements ahead; see
    /// `PublisherSource`.
    public static func source<Upstream: Publisher>(
        _ name: String = "source", publisher: Upstream, capacity: Int = 1_024
    ) -> PipelineBuilder<PublisherSource<Upstream>, IdentityChain<Upstream.Output>> where Upstream.Output: Sendable {
        source(name, PublisherSource(publisher, capacity: capacity))
    }
}

/// A value that is not `Sendable` but is only touched from one task at a time.
///
/// `@unchecked Sendable`: confinement. A source is used by one engine task per run, and the publisher it wraps is
/// only subscribed to, once per run, from that task.
@usableFromInline
struct UncheckedBox<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @inlinable init(_ value: Value) { self.value = value }
}

/// The subscriber half of a `PublisherSource`: elements go into a bounded channel that the engine reads.
///
/// Once cancelled (the run ended while reading) or terminated, the channel is finished, so a late element is
/// ignored, neither buffered nor counted as excess demand (Reactive Streams rules 2.4 and 2.8).
///
/// `@unchecked Sendable`: the subscription is inside `subscription` (a `LockedState`); the channel is thread-safe.
@usableFromInline
final class PublisherLink<Upstream: Publisher>: Subscriber, Cancellable, @unchecked Sendable
where Upstream.Output: Sendable {
    @usableFromInline typealias Input = Upstream.Output
    @usableFromInline typealias Failure = Upstream.Failure

    @usableFromInline let channel: BoundedChannel<Input>
    @usableFromInline let capacity: Int
    @usableFromInline let subscription = LockedState<(any Subscription)?>(nil)
    /// `channel.trySend`, as a closure made where the link is created, in code specialized for the element type.
    ///
    /// The publisher calls `receive(_:)` through its `Subscriber` witness, which runs the generic (unspecialized)
    /// body; a channel call made from there looked up the generic metadata of every type it touches, for every
    /// element (about half of the instructions of the hand-off, measured with Callgrind). The closure's body is
    /// specialized, so the per-element path does no such lookup.
    @usableFromInline let enqueue: @Sendable (Input) -> ChannelTrySendResult

    @inlinable
    init(capacity: Int) {
        self.capacity = capacity
        // No clock: the hand-off is per element, and a clock read would be a large share of its cost.
        let channel = BoundedChannel<Input>(capacity: .bounded(capacity), overflowPolicy: .fail, name: "publisher", clock: nil)
        self.channel = channel
        enqueue = { channel.trySend($0) }
    }

    @usableFromInline let combineIdentifier = CombineIdentifier()

    @inlinable
    func receive(subscription new: any Subscription) {
        let isFirst = subscription.withLock { current -> Bool in
            // A link that was cancelled or terminated (its channel is finished) takes no new subscription.
            guard current == nil, !channel.isFinished else { return false }
            current = new
            return true
        }
        guard isFirst else {
            new.cancel()
            return
        }
        new.request(.max(capacity))
    }

    @inlinable
    func receive(_ input: Input) -> Subscribers.Demand {
        switch enqueue(input) {
        case .enqueued, .finished:
            // `.finished`: after cancel or the terminal signal; the element is dropped (rules 2.4, 2.8).
            return .none
        case .full:
            channel.fail(
                ReactiveError(
                    .demandExceeded, "the publisher sent more than the \(capacity) elements the source had room for"))
            cancelSubscription()
            return .none
        }
    }

    @inlinable
    func receive(completion: Subscribers.Completion<Failure>) {
        subscription.withLock { $0 = nil }
        switch completion {
        case .finished: channel.finish()
        case .failure(let error): channel.fail(error)
        }
    }

    /// Gives `count` credits back to the publisher, outside any lock.
    @inlinable
    func consumed(_ count: Int) {
        guard count > 0, let current = subscription.withLock({ $0 }) else { return }
        current.request(.max(count))
    }

    /// Cancels the subscription and finishes the channel, so that nothing sent later is taken in. What was
    /// already buffered can still be read.
    @inlinable
    func cancel() {
        cancelSubscription()
        channel.finish()
    }

    @inlinable
    func cancelSubscription() {
        subscription.withLock { current in
            defer { current = nil }
            return current
        }?.cancel()
    }
}
