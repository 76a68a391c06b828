import Sluice
import SluiceTestKit
import Synchronization

/// Planted-bug fixture: a one-slot mailbox whose receive checks for an element, yields (the window), and only then
/// registers as a waiter without checking again. A send that lands in the window finds no waiter and wakes no
/// one: the receiver then sleeps forever. This is the classic lost wakeup.
final class LossyMailbox: Sendable {
    struct State {
        var items: [Int] = []
        var waiter: CheckedContinuation<Void, Never>?
        var isFinished = false
    }

    let state = Mutex(State())

    func send(_ value: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.items.append(value)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.isFinished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func receive() async -> Int? {
        while true {
            let next = state.withLock { state -> Int?? in
                if !state.items.isEmpty { return state.items.removeFirst() }
                return state.isFinished ? .some(nil) : nil
            }
            if let next { return next }
            await Task.yield()  // the window: the bug is registering below without checking again
            _ChannelObservationShim.willSuspend("lossy-mailbox")
            await withCheckedContinuation { continuation in
                state.withLock { $0.waiter = continuation }
            }
        }
    }
}

/// Lets the fixture report its wait to the controller like a Sluice channel does (debug builds only).
enum _ChannelObservationShim {
    static func willSuspend(_ name: String) {
        #if SLUICE_SCHEDULE_HOOKS
        _ChannelObservation.observer?.channelWillSuspend(name, sending: false)
        #endif
    }
}

/// Two stages in a cycle over bounded channels of capacity 1: each sends one element, then for every element it
/// receives sends two back. Elements in flight only grow, so under every schedule both stages end up waiting for
/// room on a full channel that only the other could drain. A planted deadlock.
func cyclicStages() async throws {
    let forward = BoundedChannel<Int>(capacity: .bounded(1), name: "left→right")
    let backward = BoundedChannel<Int>(capacity: .bounded(1), name: "right→left")
    @Sendable func stage(sending output: BoundedChannel<Int>, receiving input: BoundedChannel<Int>) async throws {
        try await output.send(0)
        for _ in 0..<100 {
            guard let value = try await input.receive() else { return }
            try await output.send(value + 1)
            try await output.send(value + 1)
        }
    }
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await stage(sending: forward, receiving: backward) }
        group.addTask { try await stage(sending: backward, receiving: forward) }
        try await group.waitForAll()
    }
}
