import Synchronization

/// A thread-safe circuit breaker: fails fast while a downstream is failing, and probes it while half-open.
///
/// See `CircuitBreakerStateMachine` for the rules. Calls wrapped with `call(_:)` are admitted or rejected;
/// a rejected call throws `CircuitBreakerError` with code `.open` without running the body, so a flapping
/// sink is not hammered. Use it as a stage with `CircuitBreaker.guarding(_:)` or around any call.
public final class CircuitBreaker<Clock: MonotonicClock>: Sendable {
    /// The breaker's name, used in errors and metrics.
    public let name: String
    private let clock: Clock
    private let machine: Mutex<CircuitBreakerStateMachine>
    private let counters: Mutex<Counters>

    /// Counts of what the breaker has done, for metrics and tests.
    public struct Counters: Hashable, Sendable {
        /// Calls let through while the breaker was closed.
        public var allowed = 0
        /// Trial calls let through while it was half-open.
        public var probes = 0
        /// Calls refused (open, or every half-open probe already in flight).
        public var rejected = 0
        /// Times it opened.
        public var opened = 0
        /// Times it went half-open (the open period ended).
        public var halfOpened = 0
        /// Times it closed again after successful probes.
        public var closed = 0

        /// Creates counters.
        public init(allowed: Int = 0, probes: Int = 0, rejected: Int = 0, opened: Int = 0, halfOpened: Int = 0, closed: Int = 0) {
            self.allowed = allowed
            self.probes = probes
            self.rejected = rejected
            self.opened = opened
            self.halfOpened = halfOpened
            self.closed = closed
        }
    }

    /// Creates a closed breaker that reads time from `clock`.
    public init(name: String, configuration: CircuitBreakerStateMachine.Configuration = .init(), clock: Clock) {
        self.name = name
        self.clock = clock
        self.machine = Mutex(CircuitBreakerStateMachine(configuration: configuration))
        self.counters = Mutex(Counters())
    }

    /// The current state.
    public var state: CircuitBreakerStateMachine.State { machine.withLock { $0.state } }

    /// What the breaker has done so far.
    public var statistics: Counters { counters.withLock { $0 } }

    /// Runs `body` if the breaker admits it, and records its outcome.
    ///
    /// Throws `CircuitBreakerError` (code `.open`) without running `body` while the breaker is open;
    /// rethrows `body`'s error after recording it as a failure.
    public func call<Result>(_ body: () throws -> Result) throws -> Result {
        let now = clock.nowNanoseconds()
        let (admission, transition) = machine.withLock { $0.admit(atNanoseconds: now) }
        count(admission: admission, transition: transition)
        if admission == .rejected {
            throw CircuitBreakerError(code: .open, message: "circuit breaker '\(name)' is open")
        }
        do {
            let result = try body()
            let done = clock.nowNanoseconds()
            count(transition: machine.withLock { $0.recordSuccess(atNanoseconds: done) })
            return result
        } catch {
            let done = clock.nowNanoseconds()
            count(transition: machine.withLock { $0.recordFailure(atNanoseconds: done) })
            throw error
        }
    }

    private func count(admission: CircuitBreakerStateMachine.Admission, transition: CircuitBreakerStateMachine.Transition?) {
        counters.withLock {
            switch admission {
            case .allowed: $0.allowed += 1
            case .probe: $0.probes += 1
            case .rejected: $0.rejected += 1
            }
        }
        count(transition: transition)
    }

    private func count(transition: CircuitBreakerStateMachine.Transition?) {
        guard let transition else { return }
        counters.withLock {
            switch transition {
            case .opened: $0.opened += 1
            case .halfOpened: $0.halfOpened += 1
            case .closed: $0.closed += 1
            }
        }
    }
}

/// The error a circuit breaker throws when it rejects a call.
public struct CircuitBreakerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why the call was rejected.
    public struct Code: Hashable, Sendable {
        enum Base: Hashable, Sendable { case open }
        let base: Base
        /// The breaker was open (or all half-open probes were in flight).
        public static let open = Code(base: .open)
    }

    /// What went wrong, for code to match on.
    public var code: Code
    /// For people: names the breaker (`circuit breaker 'NAME' is open`).
    public var message: String

    /// The message.
    public var description: String { message }
}
