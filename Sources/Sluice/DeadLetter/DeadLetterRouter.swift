import Synchronization

/// Routes failed elements to the dead-letter sink, rate-limited per stage, and keeps the run's error summary.
///
/// One router serves a whole run; stages call it only on the error path, so the `Mutex` costs nothing on the
/// hot path. The sink is called outside the lock.
public final class DeadLetterRouter: Sendable {
    private struct State {
        var buckets: [String: TokenBucket] = [:]
        var summary = DeadLetterSummary()
    }

    private let policy: DeadLetterPolicy
    private let state = Mutex(State())

    /// Creates a router for one run.
    public init(policy: DeadLetterPolicy) {
        self.policy = policy
    }

    /// Records that `stageName` failed on `element` with `error`, and delivers a record unless the stage is storming.
    /// - Returns: whether the record was delivered to the sink.
    @discardableResult
    public func route(element: any Sendable, error: any Error, stageName: String) -> Bool {
        let code = (error as? any StageErrorCoding)?.errorCode ?? String(describing: type(of: error))
        let now = policy.clock.nowNanoseconds()
        let deliver = state.withLock { state in
            state.summary.errorsByStage[stageName, default: 0] += 1
            var bucket =
                state.buckets[stageName]
                ?? TokenBucket(ratePerSecond: policy.ratePerSecond, burst: policy.burst, now: now)
            let allowed = bucket.tryTake(now: now)
            state.buckets[stageName] = bucket
            if allowed {
                state.summary.routedCount += 1
            } else {
                state.summary.suppressed[.init(stageName: stageName, errorCode: code), default: 0] += 1
            }
            return allowed
        }
        if deliver {
            policy.sink.receive(
                DeadLetterRecord(
                    element: element, error: error, errorCode: code, stageName: stageName,
                    fingerprint: DeadLetterFingerprint.of(element)))
        }
        return deliver
    }

    /// What has been routed and suppressed so far.
    public var summary: DeadLetterSummary { state.withLock { $0.summary } }

    /// Sends the summary to the sink; the engines call it once at the end of a run.
    @usableFromInline
    func deliverSummary() {
        policy.sink.receive(summary: summary)
    }
}
