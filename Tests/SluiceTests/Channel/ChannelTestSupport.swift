import Sluice
import SluiceTestKit

/// An element tagged with its producer and its position in that producer's sequence, so that tests can check
/// loss, duplication and order.
struct TaggedElement: Sendable, Hashable, CustomStringConvertible {
    var producer: Int
    var sequence: Int

    var description: String { "p\(producer)#\(sequence)" }
}

/// Yields until `condition` holds; never sleeps. Used to wait for a task to reach a suspension point.
func yieldUntil(_ condition: () -> Bool) async {
    while !condition() {
        await Task.yield()
    }
}

/// Yields `count` times, the seeded stand-in for "slow" or for "a little later".
func yieldTimes(_ count: Int) async {
    for _ in 0..<count {
        await Task.yield()
    }
}

/// Checks that `received` holds, for each producer, a subsequence of `0..<expected[producer]` in increasing order
/// (no duplicates, no reordering), and, when `exact` is set, all of it. Returns the problems found.
func orderProblems(
    in received: [TaggedElement], expected: [Int: [Int]], exact: Bool
) -> [String] {
    var problems: [String] = []
    var perProducer: [Int: [Int]] = [:]
    for element in received {
        perProducer[element.producer, default: []].append(element.sequence)
    }
    for (producer, sequences) in perProducer {
        for (previous, next) in zip(sequences, sequences.dropFirst()) where next <= previous {
            problems.append("producer \(producer): \(next) after \(previous)")
            break
        }
        let allowed = Set(expected[producer] ?? [])
        if let stray = sequences.first(where: { !allowed.contains($0) }) {
            problems.append("producer \(producer): \(stray) was never accepted")
        }
    }
    if exact {
        for (producer, sequences) in expected where perProducer[producer, default: []] != sequences {
            let got = perProducer[producer, default: []]
            problems.append("producer \(producer): expected \(sequences.count) elements in order, got \(got.count)")
        }
    }
    return problems
}

/// How ``interrupt(_:whenSuspended:by:)`` disturbs a suspended operation.
enum Interruption {
    /// Cancel the operation's task.
    case cancellation
    /// Run this (finish the channel, say) from outside the operation's task.
    case action(() -> Void)
}

/// Runs `operation` in a child task, yields until `isSuspended` holds, interrupts it and returns its result.
func interrupt<Result: Sendable>(
    _ operation: @escaping @Sendable () async -> Result,
    whenSuspended isSuspended: () -> Bool,
    by interruption: Interruption
) async -> Result? {
    await withTaskGroup(of: Result.self) { group in
        group.addTask(operation: operation)
        await yieldUntil(isSuspended)
        switch interruption {
        case .cancellation: group.cancelAll()
        case .action(let action): action()
        }
        return await group.next()
    }
}

/// The error `body` throws, or `nil`.
func thrownError(_ body: () async throws -> Void) async -> (any Error)? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}
