import Testing

@testable import Sluice

/// Steps the pure state machine synchronously; producers and consumers are plain integer tokens.
@Suite struct BoundedChannelStateMachineTests {
    typealias Machine = BoundedChannelStateMachine<Int, Int, Int>

    struct TestError: Error {}

    func makeMachine(capacity: Int, low: Int? = nil, high: Int? = nil, policy: ChannelOverflowPolicy) -> Machine {
        let watermarks = ChannelWatermarks(low: low ?? capacity / 2, high: high ?? capacity)
        return Machine(capacity: capacity, watermarks: watermarks, policy: policy)
    }

    @discardableResult
    func send(_ elements: [Int], to machine: inout Machine) -> (Machine.SendAction, accepted: Int) {
        var index = elements.startIndex
        let action = machine.send(elements, from: &index)
        return (action, index)
    }

    func drain(_ machine: inout Machine, max: Int = .max) -> [Int] {
        var out: [Int] = []
        _ = machine.receive(into: &out, maxCount: max)
        return out
    }

    @Test func waitPolicyClosesAtHighWatermarkAndReopensAtLow() {
        var machine = makeMachine(capacity: 8, low: 2, high: 6, policy: .wait)
        let (first, accepted) = send([1, 2, 3, 4, 5], to: &machine)
        #expect(first.status == .complete && accepted == 5 && !machine.isGated)

        // Open: the batch is cut at the capacity (8), past the high watermark (6), and the channel closes.
        let (second, acceptedSecond) = send([6, 7, 8, 9, 10], to: &machine)
        #expect(acceptedSecond == 3)
        guard case .mustWait(let waiterID) = second.status else {
            Issue.record("expected mustWait, got \(second.status)")
            return
        }
        #expect(machine.isGated && machine.depth == 8)
        #expect(machine.suspendProducer(waiterID: waiterID, handle: 100, isCancelled: false) == .suspended)

        // Closed: nothing more is enqueued even though the depth will drop below capacity.
        _ = drain(&machine, max: 3)
        #expect(machine.depth == 5 && machine.isGated)
        let (third, acceptedThird) = send([11], to: &machine)
        #expect(acceptedThird == 0)
        if case .mustWait = third.status {} else { Issue.record("expected mustWait, got \(third.status)") }

        // Reaching the low watermark reopens and resumes the first waiting producer.
        var out: [Int] = []
        let receive = machine.receive(into: &out, maxCount: 3)
        #expect(out == [4, 5, 6])
        #expect(receive.producerToResume == 100)
        #expect(!machine.isGated && machine.depth == 2)
    }

    @Test func producerRegistrationRechecksTheGate() {
        var machine = makeMachine(capacity: 2, policy: .wait)
        let (action, _) = send([1, 2, 3], to: &machine)
        guard case .mustWait(let waiterID) = action.status else {
            Issue.record("expected mustWait")
            return
        }
        _ = drain(&machine)
        #expect(machine.suspendProducer(waiterID: waiterID, handle: 1, isCancelled: false) == .retry)
        let (again, _) = send([3, 4, 5], to: &machine)
        guard case .mustWait(let secondID) = again.status else {
            Issue.record("expected mustWait")
            return
        }
        #expect(machine.suspendProducer(waiterID: secondID, handle: 1, isCancelled: true) == .cancelled)
        #expect(machine.producers.isEmpty)
    }

    @Test func cancellingAWaitingProducerRemovesOnlyIt() {
        var machine = makeMachine(capacity: 1, low: 0, high: 1, policy: .wait)
        send([0], to: &machine)
        var ids: [UInt64] = []
        for token in 1...3 {
            let (action, _) = send([token], to: &machine)
            guard case .mustWait(let id) = action.status else {
                Issue.record("expected mustWait")
                return
            }
            #expect(machine.suspendProducer(waiterID: id, handle: token, isCancelled: false) == .suspended)
            ids.append(id)
        }
        #expect(machine.cancelProducer(waiterID: ids[1]) == 2)
        #expect(machine.cancelProducer(waiterID: ids[1]) == nil)
        let receive = machine.receive()
        #expect(receive.producerToResume == 1)
        // The resumed producer enqueues and, the channel being closed again, passes no baton.
        let (retry, _) = send([1], to: &machine)
        #expect(retry.status == .complete && retry.producerToResume == nil)
        #expect(machine.producers.map(\.handle) == [3])
        #expect(machine.receive().producerToResume == 3)
        #expect(machine.producers.isEmpty)
    }

    @Test func consumerWaitsWhenEmptyAndIsWokenBySend() {
        var machine = makeMachine(capacity: 4, policy: .wait)
        let receive = machine.receive()
        guard case .mustWait(let id) = receive.status else {
            Issue.record("expected mustWait")
            return
        }
        #expect(machine.suspendConsumer(waiterID: id, handle: 7, isCancelled: false) == .suspended)
        let (action, _) = send([1, 2], to: &machine)
        #expect(action.consumerToResume == 7)
        #expect(machine.consumers.isEmpty)
    }

    @Test func consumerBatonPassesWhileElementsRemain() {
        var machine = makeMachine(capacity: 8, policy: .wait)
        for token in [1, 2] {
            guard case .mustWait(let id) = machine.receive().status else {
                Issue.record("expected mustWait")
                return
            }
            #expect(machine.suspendConsumer(waiterID: id, handle: token, isCancelled: false) == .suspended)
        }
        let (action, _) = send([10, 11], to: &machine)
        #expect(action.consumerToResume == 1)
        var out: [Int] = []
        let first = machine.receive(into: &out, maxCount: 1)
        #expect(out == [10] && first.consumerToResume == 2)
    }

    @Test func cancelledConsumerConsumesNothing() {
        var machine = makeMachine(capacity: 4, policy: .wait)
        guard case .mustWait(let id) = machine.receive().status else {
            Issue.record("expected mustWait")
            return
        }
        #expect(machine.suspendConsumer(waiterID: id, handle: 5, isCancelled: false) == .suspended)
        #expect(machine.cancelConsumer(waiterID: id) == 5)
        let (action, _) = send([1], to: &machine)
        #expect(action.consumerToResume == nil)
        #expect(machine.depth == 1 && machine.receivedCount == 0)
    }

    @Test func dropOldestKeepsTheNewestCapacityElements() {
        var machine = makeMachine(capacity: 4, policy: .dropOldest)
        send([1, 2, 3], to: &machine)
        send([4, 5], to: &machine)
        #expect(Array(machine.buffer) == [2, 3, 4, 5] && machine.droppedOldestCount == 1)
        let (action, accepted) = send(Array(10..<20), to: &machine)
        #expect(action.status == .complete && accepted == 10)
        #expect(Array(machine.buffer) == [16, 17, 18, 19])
        #expect(machine.droppedOldestCount == 1 + 4 + 6)
        #expect(machine.sentCount == machine.receivedCount + machine.droppedCount + machine.depth)
        #expect(machine.maxDepth == 4)
    }

    @Test func dropNewestDiscardsWhatDoesNotFit() {
        var machine = makeMachine(capacity: 4, policy: .dropNewest)
        let (action, accepted) = send([1, 2, 3, 4, 5, 6], to: &machine)
        #expect(action.status == .complete && accepted == 6)
        #expect(Array(machine.buffer) == [1, 2, 3, 4] && machine.droppedNewestCount == 2)
        #expect(machine.sentCount == machine.receivedCount + machine.droppedCount + machine.depth)
    }

    @Test func failPolicyRefusesTheRest() {
        var machine = makeMachine(capacity: 4, policy: .fail)
        let (action, accepted) = send([1, 2, 3, 4, 5, 6], to: &machine)
        #expect(action.status == .full && accepted == 4)
        #expect(machine.rejectedCount == 2 && machine.sentCount == 4)
    }

    @Test func finishHandsBackEveryWaiterAndConsumersDrainFirst() {
        var machine = makeMachine(capacity: 1, low: 0, high: 1, policy: .wait)
        send([1], to: &machine)
        let (action, _) = send([2], to: &machine)
        guard case .mustWait(let id) = action.status else {
            Issue.record("expected mustWait")
            return
        }
        #expect(machine.suspendProducer(waiterID: id, handle: 9, isCancelled: false) == .suspended)
        let finish = machine.finish(error: nil)
        #expect(finish.producers.map(\.handle) == [9])
        #expect(machine.finish(error: TestError()).producers.isEmpty)
        #expect(send([3], to: &machine).0.status == .finished)
        #expect(machine.suspendProducer(waiterID: id, handle: 9, isCancelled: false) == .finished)
        guard case .value(1) = machine.receive().status else {
            Issue.record("expected the buffered element")
            return
        }
        guard case .finished = machine.receive().status else {
            Issue.record("expected finished")
            return
        }
    }

    @Test func failureIsReportedAfterDraining() {
        var machine = makeMachine(capacity: 4, policy: .wait)
        guard case .mustWait(let id) = machine.receive().status else {
            Issue.record("expected mustWait")
            return
        }
        #expect(machine.suspendConsumer(waiterID: id, handle: 3, isCancelled: false) == .suspended)
        send([1], to: &machine)
        let finish = machine.finish(error: TestError())
        #expect(finish.consumers.isEmpty)  // already woken by the send
        guard case .value(1) = machine.receive().status else {
            Issue.record("expected the buffered element")
            return
        }
        guard case .failed(let error) = machine.receive().status else {
            Issue.record("expected failed")
            return
        }
        #expect(error is TestError)
        #expect(machine.suspendConsumer(waiterID: 99, handle: 3, isCancelled: false) == .retry)
    }
}
