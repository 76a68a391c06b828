import DequeModule

/// The pure state of a ``BoundedChannel``: the buffer, the backpressure gate, the waiting producers and
/// consumers, and the counters. Events go in as mutating calls; what the caller must do (resume a waiter)
/// comes out in the returned action. It never locks, suspends or reads a clock, so tests step it synchronously.
///
/// `Producer` and `Consumer` are whatever the storage uses to wake a waiter (continuations in production,
/// plain tokens in tests). At most one producer and one consumer are woken per event; a woken waiter that
/// makes progress wakes the next one ("baton passing"), so no event allocates.
@usableFromInline struct BoundedChannelStateMachine<Element, Producer, Consumer> {
    /// Whether the channel still accepts elements.
    @usableFromInline enum Termination: Sendable {
        case open
        case finished
        case failed(any Error)
    }

    @usableFromInline struct Waiter<Handle> {
        @usableFromInline var id: UInt64
        @usableFromInline var handle: Handle

        @inlinable init(id: UInt64, handle: Handle) {
            self.id = id
            self.handle = handle
        }
    }

    /// What a send attempt concluded.
    @usableFromInline enum SendStatus: Equatable, Sendable {
        /// Every element was taken (enqueued or, under a drop policy, discarded).
        case complete
        /// The channel is closed to producers; suspend, registering under this id.
        case mustWait(waiterID: UInt64)
        /// Policy `.fail` and no room: the rest was refused.
        case full
        /// Finished or failed: the rest was not enqueued.
        case finished
    }

    @usableFromInline struct SendAction {
        @usableFromInline var status: SendStatus
        @usableFromInline var consumerToResume: Consumer?
        @usableFromInline var producerToResume: Producer?

        @inlinable init(status: SendStatus, consumerToResume: Consumer? = nil, producerToResume: Producer? = nil) {
            self.status = status
            self.consumerToResume = consumerToResume
            self.producerToResume = producerToResume
        }
    }

    /// What a receive attempt concluded.
    @usableFromInline enum ReceiveStatus<Value> {
        case value(Value)
        case mustWait(waiterID: UInt64)
        case finished
        case failed(any Error)
    }

    @usableFromInline struct ReceiveAction<Value> {
        @usableFromInline var status: ReceiveStatus<Value>
        @usableFromInline var producerToResume: Producer?
        @usableFromInline var consumerToResume: Consumer?

        @inlinable init(
            status: ReceiveStatus<Value>, producerToResume: Producer? = nil, consumerToResume: Consumer? = nil
        ) {
            self.status = status
            self.producerToResume = producerToResume
            self.consumerToResume = consumerToResume
        }
    }

    /// The result of registering a waiter inside its suspension.
    @usableFromInline enum Registration: Equatable, Sendable {
        /// Stored; it will be resumed later.
        case suspended
        /// Things changed since the failed attempt: resume at once and try again.
        case retry
        /// The task was already cancelled: resume at once as cancelled.
        case cancelled
        /// (Producers only.) The channel is finished: resume at once as finished.
        case finished
    }

    /// Waiters to resume because the channel was just terminated.
    @usableFromInline struct FinishAction {
        @usableFromInline var producers: Deque<Waiter<Producer>>
        @usableFromInline var consumers: Deque<Waiter<Consumer>>

        @inlinable init(producers: Deque<Waiter<Producer>>, consumers: Deque<Waiter<Consumer>>) {
            self.producers = producers
            self.consumers = consumers
        }
    }

    @usableFromInline let capacity: Int
    @usableFromInline let lowWatermark: Int
    @usableFromInline let highWatermark: Int
    @usableFromInline let policy: ChannelOverflowPolicy
    @usableFromInline var buffer: Deque<Element>
    /// Closed to producers (policy `.wait` only): set at the high watermark, cleared at the low watermark.
    @usableFromInline var isGated = false
    @usableFromInline var termination = Termination.open
    @usableFromInline var producers: Deque<Waiter<Producer>> = []
    @usableFromInline var consumers: Deque<Waiter<Consumer>> = []
    @usableFromInline var nextWaiterID: UInt64 = 0

    @usableFromInline var sentCount = 0
    @usableFromInline var receivedCount = 0
    @usableFromInline var droppedOldestCount = 0
    @usableFromInline var droppedNewestCount = 0
    @usableFromInline var rejectedCount = 0
    @usableFromInline var maxDepth = 0

    @inlinable var droppedCount: Int { droppedOldestCount + droppedNewestCount }

    /// Creates the state; `capacity` is `Int.max` for an unbounded channel.
    @usableFromInline init(capacity: Int, watermarks: ChannelWatermarks, policy: ChannelOverflowPolicy) {
        precondition(capacity >= 1, "capacity must be at least 1")
        precondition(watermarks.high <= capacity, "the high watermark \(watermarks.high) exceeds capacity \(capacity)")
        self.capacity = capacity
        self.lowWatermark = watermarks.low
        self.highWatermark = watermarks.high
        self.policy = policy
        self.buffer = Deque(minimumCapacity: capacity == .max ? 16 : min(capacity, 4096))
        producers.reserveCapacity(4)
        consumers.reserveCapacity(4)
    }

    @inlinable var depth: Int { buffer.count }

    @inlinable var isTerminated: Bool {
        if case .open = termination { return false }
        return true
    }

    // MARK: Sending

    /// Offers `elements[index...]`, advancing `index` past everything the channel took.
    ///
    /// Complexity: O(*k*) for the *k* elements taken (plus O(*n*) index arithmetic on a non-random-access
    /// collection).
    @inlinable mutating func send<C: Collection<Element>>(_ elements: C, from index: inout C.Index) -> SendAction {
        guard case .open = termination else {
            return SendAction(status: .finished)
        }
        let remaining = elements.distance(from: index, to: elements.endIndex)
        var status = SendStatus.complete
        switch policy {
        case .wait:
            if !isGated {
                enqueue(elements, from: &index, count: min(capacity - buffer.count, remaining))
                if buffer.count >= highWatermark { isGated = true }
            }
            if index != elements.endIndex {
                status = .mustWait(waiterID: makeWaiterID())
            }
        case .fail:
            enqueue(elements, from: &index, count: min(capacity - buffer.count, remaining))
            if index != elements.endIndex {
                rejectedCount += elements.distance(from: index, to: elements.endIndex)
                status = .full
            }
        case .dropNewest:
            enqueue(elements, from: &index, count: min(capacity - buffer.count, remaining))
            let dropped = elements.distance(from: index, to: elements.endIndex)
            droppedNewestCount += dropped
            sentCount += dropped
            index = elements.endIndex
        case .dropOldest:
            if remaining >= capacity {
                // The whole buffer and the batch's head are overtaken by the batch's last `capacity` elements.
                let skipped = remaining - capacity
                droppedOldestCount += buffer.count + skipped
                sentCount += skipped
                buffer.removeAll(keepingCapacity: true)
                index = elements.index(index, offsetBy: skipped)
                enqueue(elements, from: &index, count: capacity)
            } else {
                let overflow = buffer.count + remaining - capacity
                if overflow > 0 {
                    buffer.removeFirst(overflow)
                    droppedOldestCount += overflow
                }
                enqueue(elements, from: &index, count: remaining)
            }
        }
        var action = SendAction(status: status)
        if !buffer.isEmpty {
            action.consumerToResume = consumers.popFirst()?.handle
        }
        if status == .complete && !isGated {
            // Baton: the channel is open, so a producer still waiting from an earlier closure may go.
            action.producerToResume = producers.popFirst()?.handle
        }
        return action
    }

    @inlinable mutating func enqueue<C: Collection<Element>>(_ elements: C, from index: inout C.Index, count: Int) {
        guard count > 0 else { return }
        if count == 1 {
            // Single sends arrive as `CollectionOfOne`; skip the slice copy machinery.
            buffer.append(elements[index])
            elements.formIndex(after: &index)
        } else {
            let end = elements.index(index, offsetBy: count)
            buffer.append(contentsOf: elements[index..<end])
            index = end
        }
        sentCount += count
        if buffer.count > maxDepth { maxDepth = buffer.count }
    }

    /// Registers a producer that got `.mustWait(waiterID)`, unless it should not wait after all.
    @inlinable mutating func suspendProducer(waiterID: UInt64, handle: Producer, isCancelled: Bool) -> Registration {
        guard case .open = termination else { return .finished }
        guard isGated else { return .retry }
        if isCancelled { return .cancelled }
        producers.append(Waiter(id: waiterID, handle: handle))
        return .suspended
    }

    /// Removes a waiting producer whose task was cancelled; returns its handle to resume as cancelled,
    /// or `nil` when it is no longer waiting (it was already resumed).
    ///
    /// Complexity: O(*w*) for *w* waiting producers.
    @inlinable mutating func cancelProducer(waiterID: UInt64) -> Producer? {
        guard let position = producers.firstIndex(where: { $0.id == waiterID }) else { return nil }
        return producers.remove(at: position).handle
    }

    // MARK: Receiving

    /// Takes one element, or says to wait, or reports the end.
    @inlinable mutating func receive() -> ReceiveAction<Element> {
        if let element = buffer.popFirst() {
            return afterDequeue(.value(element), count: 1)
        }
        return ReceiveAction(status: emptyStatus())
    }

    /// Appends up to `maxCount` elements to `destination`; the value is how many (at least 1).
    ///
    /// Complexity: O(*k*) for the *k* elements moved.
    @inlinable mutating func receive(into destination: inout [Element], maxCount: Int) -> ReceiveAction<Int> {
        precondition(maxCount >= 1, "maxCount must be at least 1, got \(maxCount)")
        let count = min(maxCount, buffer.count)
        guard count > 0 else {
            return ReceiveAction(status: emptyStatus())
        }
        if count == buffer.count {
            destination.append(contentsOf: buffer)
            buffer.removeAll(keepingCapacity: true)
        } else {
            destination.append(contentsOf: buffer.prefix(count))
            buffer.removeFirst(count)
        }
        return afterDequeue(.value(count), count: count)
    }

    @inlinable mutating func emptyStatus<Value>() -> ReceiveStatus<Value> {
        switch termination {
        case .open: .mustWait(waiterID: makeWaiterID())
        case .finished: .finished
        case .failed(let error): .failed(error)
        }
    }

    @inlinable mutating func afterDequeue<Value>(_ status: ReceiveStatus<Value>, count: Int) -> ReceiveAction<Value> {
        receivedCount += count
        var action = ReceiveAction(status: status)
        if isGated && buffer.count <= lowWatermark {
            isGated = false
            action.producerToResume = producers.popFirst()?.handle
        }
        if !buffer.isEmpty {
            // Baton: more is buffered than this consumer took, so another waiting consumer may go.
            action.consumerToResume = consumers.popFirst()?.handle
        }
        return action
    }

    /// Registers a consumer that got `.mustWait(waiterID)`, unless it should not wait after all.
    @inlinable mutating func suspendConsumer(waiterID: UInt64, handle: Consumer, isCancelled: Bool) -> Registration {
        if !buffer.isEmpty || isTerminated { return .retry }
        if isCancelled { return .cancelled }
        consumers.append(Waiter(id: waiterID, handle: handle))
        return .suspended
    }

    /// Removes a waiting consumer whose task was cancelled; returns its handle to resume as cancelled,
    /// or `nil` when it is no longer waiting.
    ///
    /// Complexity: O(*w*) for *w* waiting consumers.
    @inlinable mutating func cancelConsumer(waiterID: UInt64) -> Consumer? {
        guard let position = consumers.firstIndex(where: { $0.id == waiterID }) else { return nil }
        return consumers.remove(at: position).handle
    }

    // MARK: Termination

    /// Finishes (`error == nil`) or fails the channel; the first call wins. Every waiter is handed back:
    /// producers to be resumed as finished, consumers to retry (and drain what is buffered).
    @inlinable mutating func finish(error: (any Error)?) -> FinishAction {
        guard case .open = termination else {
            return FinishAction(producers: [], consumers: [])
        }
        termination = error.map { .failed($0) } ?? .finished
        isGated = false
        let action = FinishAction(producers: producers, consumers: consumers)
        producers = []
        consumers = []
        return action
    }

    @inlinable mutating func makeWaiterID() -> UInt64 {
        nextWaiterID &+= 1
        return nextWaiterID
    }
}

extension BoundedChannelStateMachine: Sendable where Element: Sendable, Producer: Sendable, Consumer: Sendable {}

extension BoundedChannelStateMachine.Waiter: Sendable
where Handle: Sendable, Element: Sendable, Producer: Sendable, Consumer: Sendable {}

extension BoundedChannelStateMachine.SendAction: Sendable
where Element: Sendable, Producer: Sendable, Consumer: Sendable {}

extension BoundedChannelStateMachine.ReceiveStatus: Sendable
where Value: Sendable, Element: Sendable, Producer: Sendable, Consumer: Sendable {}

extension BoundedChannelStateMachine.ReceiveAction: Sendable
where Value: Sendable, Element: Sendable, Producer: Sendable, Consumer: Sendable {}

extension BoundedChannelStateMachine.FinishAction: Sendable
where Element: Sendable, Producer: Sendable, Consumer: Sendable {}
