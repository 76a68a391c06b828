import Sluice
import SluiceTestKit
import Synchronization
import Testing

/// Where a concurrency test runs its body: on the real executor, or under `ScheduleController`, where each seed is
/// one exactly reproducible interleaving. The channel's and the engine's concurrency tests take it as an argument,
/// so the same test body runs both ways.
enum ConcurrencyRunner: Sendable, CustomTestStringConvertible {
    /// The cooperative pool, as in production.
    case real
    /// The schedule controller, with this strategy; the run's seed seeds the strategy.
    case controlled(ScheduleStrategy)

    /// The real executor, the random walk, and PCT with depth 3.
    static let all: [ConcurrencyRunner] = [
        .real, .controlled(.randomWalk), .controlled(.pct(depth: 3, expectedSteps: 400)),
    ]

    /// The real executor and the random walk, for a body that spin-waits (yields until another task has made
    /// progress). PCT cannot run such a body: it always runs the highest-priority runnable task, so a spinning
    /// task above the one it waits for spins until the step limit (PCT's known weakness with busy-waiting).
    static let spinTolerant: [ConcurrencyRunner] = [.real, .controlled(.randomWalk)]

    var testDescription: String {
        switch self {
        case .real: "real executor"
        case .controlled(let strategy): "controlled, \(strategy)"
        }
    }

    /// How many seeded rounds a test makes: `real` on the real executor, `controlled` under the controller (each
    /// controlled round is one full run under its own seed).
    func rounds(real: Int, controlled: Int) -> Int {
        if case .real = self { real } else { controlled }
    }

    /// Runs `body` once per seed, `0..<real` seeds on the real executor (where the seed only labels the round)
    /// or `0..<controlled` under the controller.
    func forEachSeed(
        real: Int,
        controlled: Int,
        _ body: @escaping @Sendable (UInt64) async throws -> Void
    ) async throws {
        for seed in 0..<UInt64(rounds(real: real, controlled: controlled)) {
            try await run(seed: seed) { try await body(seed) }
        }
    }

    /// Runs `body` and returns what it returns or throws. Under the controller, `seed` seeds the strategy, and a
    /// run that deadlocks or hits the step limit throws `ControlledRunError`, which names the seed, the strategy
    /// and the wait-for graph. Blocks the calling thread for a controlled run (its jobs run on it).
    func run<Value: Sendable>(
        seed: UInt64,
        _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        guard case .controlled(let strategy) = self else { return try await body() }
        let result = Mutex<Result<Value, any Error>?>(nil)
        let outcome = ScheduleController.run(seed: seed, strategy: strategy) {
            do {
                let value = try await body()
                result.withLock { $0 = .success(value) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
        }
        if let result = result.withLock({ $0 }) { return try result.get() }
        throw ControlledRunError(seed: seed, strategy: strategy, ending: outcome.ending)
    }
}

/// A controlled run that did not finish: replay it with `ScheduleController.run(seed:strategy:)`.
struct ControlledRunError: Error, CustomStringConvertible {
    var seed: UInt64
    var strategy: ScheduleStrategy
    var ending: ScheduleOutcome.Ending

    var description: String { "controlled run, seed \(seed), \(strategy): \(ending)" }
}
