/// The pure state machine behind `CircuitBreaker`: closed → open → half-open → closed (or open again).
///
/// - **Closed**: calls pass. Outcomes are counted in a sliding window of `windowSize` calls; when at
///   least `minimumCalls` are in the window and the failure ratio reaches `failureRateThreshold`, it opens.
/// - **Open**: calls are rejected until `openDuration` has passed since it opened; then it becomes half-open.
/// - **Half-open**: up to `probeCount` probe calls pass; all succeeding closes it, any failure opens it again.
///
/// Time comes in as an argument (nanoseconds), so tests step every transition with a virtual clock.
public struct CircuitBreakerStateMachine: Sendable {
    /// Tuning of a breaker.
    public struct Configuration: Hashable, Sendable {
        /// Failure ratio in `0...1` at which a closed breaker opens.
        public var failureRateThreshold: Double
        /// How many recent calls the failure ratio is computed over.
        public var windowSize: Int
        /// Fewest calls in the window before the ratio is trusted.
        public var minimumCalls: Int
        /// How long the breaker stays open before probing, in nanoseconds.
        public var openDurationNanoseconds: UInt64
        /// Probe calls allowed while half-open; all must succeed to close.
        public var probeCount: Int

        /// Creates a configuration.
        public init(
            failureRateThreshold: Double = 0.5, windowSize: Int = 20, minimumCalls: Int = 10,
            openDuration: Duration = .seconds(5), probeCount: Int = 3
        ) {
            precondition((0...1).contains(failureRateThreshold) && windowSize > 0 && minimumCalls > 0 && probeCount > 0)
            self.failureRateThreshold = failureRateThreshold
            self.windowSize = windowSize
            self.minimumCalls = min(minimumCalls, windowSize)
            self.openDurationNanoseconds = openDuration.nanoseconds
            self.probeCount = probeCount
        }
    }

    /// The breaker's state.
    public enum State: Hashable, Sendable {
        case closed
        case open(sinceNanoseconds: UInt64)
        case halfOpen(probesStarted: Int, probesSucceeded: Int)
    }

    /// The answer to "may this call go ahead?".
    public enum Admission: Hashable, Sendable {
        /// Go ahead; report the outcome with `recordSuccess`/`recordFailure`.
        case allowed
        /// Go ahead as a half-open probe; report the outcome.
        case probe
        /// Rejected: the breaker is open (or all probes are in flight).
        case rejected
    }

    /// A change of state, returned so the caller can log or count it.
    public enum Transition: Hashable, Sendable {
        /// Closed or half-open to open: too many failures, or a failed probe.
        case opened
        /// Open to half-open: the open period passed.
        case halfOpened
        /// Half-open to closed: the probes succeeded.
        case closed
    }

    /// The thresholds and periods the machine was created with.
    public let configuration: Configuration
    public private(set) var state: State = .closed
    private var outcomes: [Bool] = []  // ring of recent outcomes, true = failure
    private var nextSlot = 0
    private var failuresInWindow = 0

    /// Creates a closed breaker.
    public init(configuration: Configuration) {
        self.configuration = configuration
        outcomes.reserveCapacity(configuration.windowSize)
    }

    /// Asks whether a call may proceed at `now`; may move open → half-open.
    public mutating func admit(atNanoseconds now: UInt64) -> (Admission, Transition?) {
        switch state {
        case .closed:
            return (.allowed, nil)
        case .open(let since):
            guard now &- since >= configuration.openDurationNanoseconds else { return (.rejected, nil) }
            state = .halfOpen(probesStarted: 1, probesSucceeded: 0)
            return (.probe, .halfOpened)
        case .halfOpen(let started, let succeeded):
            guard started < configuration.probeCount else { return (.rejected, nil) }
            state = .halfOpen(probesStarted: started + 1, probesSucceeded: succeeded)
            return (.probe, nil)
        }
    }

    /// Records a successful call.
    public mutating func recordSuccess(atNanoseconds now: UInt64) -> Transition? {
        switch state {
        case .closed:
            record(failure: false)
            return nil
        case .open:
            return nil  // a call admitted before the breaker opened; it does not change an open breaker
        case .halfOpen(let started, let succeeded):
            let nowSucceeded = succeeded + 1
            if nowSucceeded >= configuration.probeCount {
                resetWindow()
                state = .closed
                return .closed
            }
            state = .halfOpen(probesStarted: started, probesSucceeded: nowSucceeded)
            return nil
        }
    }

    /// Records a failed call.
    public mutating func recordFailure(atNanoseconds now: UInt64) -> Transition? {
        switch state {
        case .closed:
            record(failure: true)
            guard outcomes.count >= configuration.minimumCalls,
                Double(failuresInWindow) / Double(outcomes.count) >= configuration.failureRateThreshold
            else { return nil }
            state = .open(sinceNanoseconds: now)
            return .opened
        case .open:
            return nil
        case .halfOpen:
            state = .open(sinceNanoseconds: now)
            return .opened
        }
    }

    private mutating func record(failure: Bool) {
        if outcomes.count < configuration.windowSize {
            outcomes.append(failure)
        } else {
            if outcomes[nextSlot] { failuresInWindow -= 1 }
            outcomes[nextSlot] = failure
            nextSlot = (nextSlot + 1) % configuration.windowSize
        }
        if failure { failuresInWindow += 1 }
    }

    private mutating func resetWindow() {
        outcomes.removeAll(keepingCapacity: true)
        nextSlot = 0
        failuresInWindow = 0
    }
}
