import DequeModule
import Synchronization

/// How a suspended producer is woken.
@usableFromInline enum ProducerResumption: Sendable {
    /// There may be room now: try again.
    case retry
    /// Its task was cancelled while it waited.
    case cancelled
    /// The channel was finished while it waited.
    case finished
}

/// How a suspended consumer is woken.
@usableFromInline enum ConsumerResumption: Sendable {
    /// There may be elements (or the end) now: try again.
    case retry
    /// Its task was cancelled while it waited.
    case cancelled
}

/// A suspended producer and when it suspended (for the blocked-time statistic).
@usableFromInline struct ProducerHandle: Sendable {
    @usableFromInline var continuation: UnsafeContinuation<ProducerResumption, Never>
    @usableFromInline var suspendedAt: UInt64

    @inlinable init(continuation: UnsafeContinuation<ProducerResumption, Never>, suspendedAt: UInt64) {
        self.continuation = continuation
        self.suspendedAt = suspendedAt
    }
}

/// Stands in for the clock of a channel whose timing is off; never read for statistics.
@usableFromInline struct UntimedClock: MonotonicClock {
    @inlinable init() {}

    @inlinable func nowNanoseconds() -> UInt64 { 0 }
}

/// The lock around a ``BoundedChannelStateMachine``: every event is one `Mutex` acquisition; continuations
/// are resumed after the lock is released; instrumentation is published to atomics under the lock.
@usableFromInline final class BoundedChannelStorage<Element: Sendable>: Sendable {
    @usableFromInline typealias Machine = BoundedChannelStateMachine<
        Element, ProducerHandle, UnsafeContinuation<ConsumerResumption, Never>
    >

    @usableFromInline let name: String
    /// The time source; read only when `isTimed`.
    @usableFromInline let clock: any MonotonicClock
    /// `false` when timing is switched off: no clock reads, timing statistics unavailable. (A flag rather than an
    /// optional clock, so that the hot path does not copy the existential out of an optional.)
    @usableFromInline let isTimed: Bool
    @usableFromInline let instruments: ChannelInstruments
    @usableFromInline let machine: Mutex<Machine>

    @usableFromInline init(
        name: String,
        capacity: ChannelCapacity,
        watermarks: ChannelWatermarks,
        policy: ChannelOverflowPolicy,
        clock: (any MonotonicClock)?
    ) {
        self.name = name
        self.clock = clock ?? UntimedClock()
        self.isTimed = clock != nil
        self.instruments = ChannelInstruments(capacity: capacity.limit, now: clock?.nowNanoseconds() ?? 0)
        self.machine = Mutex(Machine(capacity: capacity.limit ?? .max, watermarks: watermarks, policy: policy))
    }

    // MARK: Sending

    /// One locked send attempt from `index`; publishes instrumentation and wakes waiters outside the lock.
    @inlinable func attemptSend<C: Collection<Element>>(
        _ elements: C, from index: inout C.Index
    ) -> Machine.SendStatus {
        #if SLUICE_SCHEDULE_HOOKS
        _ChannelObservation.observer?.channelAccessed(name, sending: true)
        #endif
        let action = machine.withLock { machine in
            let before = machine.depth
            let action = machine.send(elements, from: &index)
            publishAfterEvent(
                machine, depthBefore: before, woke: action.consumerToResume != nil || action.producerToResume != nil)
            return action
        }
        action.consumerToResume?.resume(returning: .retry)
        if let producer = action.producerToResume { resume(producer, with: .retry) }
        return action.status
    }

    /// Non-suspending batch send.
    @inlinable func trySend<C: Collection<Element>>(contentsOf elements: C) -> ChannelTrySendResult {
        var index = elements.startIndex
        switch attemptSend(elements, from: &index) {
        case .complete:
            return .enqueued
        case .mustWait, .full:
            return .full(acceptedCount: elements.distance(from: elements.startIndex, to: index))
        case .finished:
            return .finished(acceptedCount: elements.distance(from: elements.startIndex, to: index))
        }
    }

    /// Suspending batch send; throws `ChannelError` (`.full`, `.finished`, `.cancelled`) with the accepted prefix.
    @inlinable func send<C: Collection<Element>>(contentsOf elements: C) async throws(ChannelError) {
        var index = elements.startIndex
        while true {
            let status = attemptSend(elements, from: &index)
            let resumption: ProducerResumption
            switch status {
            case .complete:
                return
            case .full:
                throw error(.full, "no room and the overflow policy is .fail", elements, index)
            case .finished:
                throw error(.finished, "the channel is finished", elements, index)
            case .mustWait(let waiterID):
                #if SLUICE_SCHEDULE_HOOKS
                _ChannelObservation.observer?.channelWillSuspend(name, sending: true)
                resumption = await suspendProducer(waiterID: waiterID)
                _ChannelObservation.observer?.channelDidResume(name, sending: true)
                #else
                resumption = await suspendProducer(waiterID: waiterID)
                #endif
            }
            switch resumption {
            case .retry:
                continue
            case .cancelled:
                throw error(.cancelled, "the sending task was cancelled while waiting for room", elements, index)
            case .finished:
                throw error(.finished, "the channel was finished while the send waited for room", elements, index)
            }
        }
    }

    @inlinable func suspendProducer(waiterID: UInt64) async -> ProducerResumption {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<ProducerResumption, Never>) in
                let handle = ProducerHandle(continuation: continuation, suspendedAt: clock.nowNanoseconds())
                let registration = machine.withLock { machine in
                    let registration = machine.suspendProducer(
                        waiterID: waiterID, handle: handle, isCancelled: Task.isCancelled)
                    instruments.publishWaiters(of: machine)
                    return registration
                }
                switch registration {
                case .suspended: instruments.producerSuspensionCount.add(1, ordering: .relaxed)
                case .retry: continuation.resume(returning: .retry)
                case .cancelled: continuation.resume(returning: .cancelled)
                case .finished: continuation.resume(returning: .finished)
                }
            }
        } onCancel: {
            let handle = machine.withLock { machine in
                let handle = machine.cancelProducer(waiterID: waiterID)
                instruments.publishWaiters(of: machine)
                return handle
            }
            if let handle { resume(handle, with: .cancelled) }
        }
    }

    @inlinable func resume(_ producer: ProducerHandle, with resumption: ProducerResumption) {
        if isTimed {
            let now = clock.nowNanoseconds()
            instruments.producerResumed(blockedFor: now > producer.suspendedAt ? now - producer.suspendedAt : 0)
        }
        producer.continuation.resume(returning: resumption)
    }

    @usableFromInline func error<C: Collection>(
        _ code: ChannelError.Code, _ message: String, _ elements: C, _ index: C.Index
    ) -> ChannelError {
        ChannelError(
            code: code, message: message, channelName: name,
            acceptedCount: elements.distance(from: elements.startIndex, to: index))
    }

    // MARK: Receiving

    /// One locked receive attempt; publishes instrumentation and wakes waiters outside the lock.
    @inlinable func attemptReceive<Value>(
        _ body: (inout Machine) -> Machine.ReceiveAction<Value>
    ) -> Machine.ReceiveStatus<Value> {
        #if SLUICE_SCHEDULE_HOOKS
        _ChannelObservation.observer?.channelAccessed(name, sending: false)
        #endif
        let action = machine.withLock { machine in
            let before = machine.depth
            let action = body(&machine)
            publishAfterEvent(
                machine, depthBefore: before, woke: action.consumerToResume != nil || action.producerToResume != nil)
            return action
        }
        action.consumerToResume?.resume(returning: .retry)
        if let producer = action.producerToResume { resume(producer, with: .retry) }
        return action.status
    }

    /// Suspending receive through `body`; `nil` at the end, throws the failure or `CancellationError`.
    @inlinable func receive<Value>(_ body: (inout Machine) -> Machine.ReceiveAction<Value>) async throws -> Value? {
        while true {
            switch attemptReceive(body) {
            case .value(let value):
                return value
            case .finished:
                return nil
            case .failed(let error):
                throw error
            case .mustWait(let waiterID):
                #if SLUICE_SCHEDULE_HOOKS
                let resumption: ConsumerResumption
                if _ChannelObservation.faults[name] == .lostWakeup {
                    resumption = await suspendConsumerLosingWakeups(waiterID: waiterID)
                } else {
                    _ChannelObservation.observer?.channelWillSuspend(name, sending: false)
                    resumption = await suspendConsumer(waiterID: waiterID)
                }
                _ChannelObservation.observer?.channelDidResume(name, sending: false)
                #else
                let resumption = await suspendConsumer(waiterID: waiterID)
                #endif
                switch resumption {
                case .retry: continue
                case .cancelled: throw CancellationError()
                }
            }
        }
    }

    /// Non-suspending receive through `body`.
    @inlinable func tryReceive<Value>(_ body: (inout Machine) -> Machine.ReceiveAction<Value>)
        -> ChannelTryReceiveResult<Value>
    {
        switch attemptReceive(body) {
        case .value(let value): .value(value)
        case .mustWait: .empty
        case .finished: .finished
        case .failed(let error): .failed(error)
        }
    }

    /// Registers a suspending consumer, under the lock.
    @inlinable func registerConsumer(
        waiterID: UInt64, _ continuation: UnsafeContinuation<ConsumerResumption, Never>
    ) -> Machine.Registration {
        machine.withLock { machine in
            let registration = machine.suspendConsumer(
                waiterID: waiterID, handle: continuation, isCancelled: Task.isCancelled)
            instruments.publishWaiters(of: machine)
            return registration
        }
    }

    @inlinable func suspendConsumer(waiterID: UInt64) async -> ConsumerResumption {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<ConsumerResumption, Never>) in
                switch registerConsumer(waiterID: waiterID, continuation) {
                case .suspended: break
                case .retry, .finished: continuation.resume(returning: .retry)
                case .cancelled: continuation.resume(returning: .cancelled)
                }
            }
        } onCancel: {
            let continuation = machine.withLock { machine in
                let continuation = machine.cancelConsumer(waiterID: waiterID)
                instruments.publishWaiters(of: machine)
                return continuation
            }
            continuation?.resume(returning: .cancelled)
        }
    }

    #if SLUICE_SCHEDULE_HOOKS
    /// The planted `_ChannelFault.lostWakeup`: yields, then registers without honouring the state machine's
    /// "look again" answer. An element that arrived in the window is never announced: the receiver sleeps until
    /// its task ends (it is not even woken by cancellation). Test builds only; never used unless planted.
    @usableFromInline func suspendConsumerLosingWakeups(waiterID: UInt64) async -> ConsumerResumption {
        await Task.yield()
        _ChannelObservation.observer?.channelWillSuspend(name, sending: false)
        return await withUnsafeContinuation { (continuation: UnsafeContinuation<ConsumerResumption, Never>) in
            switch registerConsumer(waiterID: waiterID, continuation) {
            case .suspended, .retry, .finished: break  // the fault: `.retry` and `.finished` are dropped
            case .cancelled: continuation.resume(returning: .cancelled)
            }
        }
    }
    #endif

    // MARK: Termination

    @usableFromInline func finish(error: (any Error)?) {
        let action = machine.withLock { machine in
            let action = machine.finish(error: error)
            instruments.publishWaiters(of: machine)
            return action
        }
        for producer in action.producers { resume(producer.handle, with: .finished) }
        for consumer in action.consumers { consumer.handle.resume(returning: .retry) }
    }

    @usableFromInline var isFinished: Bool {
        machine.withLock { $0.isTerminated }
    }

    // MARK: Instrumentation

    /// Publishes counters and, when the depth changed, the time-weighted depth. Call under the lock.
    @inlinable func publishAfterEvent(_ machine: borrowing Machine, depthBefore: Int, woke: Bool) {
        let depth = machine.depth
        if depth != depthBefore {
            if isTimed {
                instruments.depthChanged(from: depthBefore, to: depth, now: clock.nowNanoseconds())
            } else {
                instruments.depthChanged(to: depth)
            }
        }
        instruments.publishCounters(of: machine)
        if woke { instruments.publishWaiters(of: machine) }
    }

    @usableFromInline func statistics() -> ChannelStatistics {
        instruments.snapshot(name: name, now: isTimed ? clock.nowNanoseconds() : nil)
    }
}
