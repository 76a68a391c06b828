/// Decides when a window fires and when it is purged: the protocol for user-written triggers.
///
/// The window stage calls the trigger synchronously on the stage's thread:
/// - `onElement` for each window an element is added to, when `observesElements` is true, and always for
///   a window the watermark has already passed (a late element within the allowed lateness);
/// - `onEventTime` when the watermark passes the window's end (`isEndOfWindow`), and when it reaches the
///   `eventTimer` the trigger set in its state;
/// - `onProcessingTime` when the stage's clock reaches the `processingTimer` the trigger set. The stage reads
///   its clock when input arrives, so processing-time callbacks run at the next element or watermark after
///   the time is due (or at the end of input);
/// - `onMerge` when session windows merge, to combine their trigger states.
///
/// A trigger must be deterministic in its inputs: checkpoints restore its state and replay the rest.
public protocol WindowTrigger: Sendable {
    /// Whether on-time elements call `onElement`. When false (the event-time trigger without early firings),
    /// a sliced window stage adds an element to one slice and touches no window: O(1) per element.
    var observesElements: Bool { get }

    /// An element was added to `window`.
    func onElement(timestamp: Int64, window: TimeWindow, context: inout TriggerContext) -> TriggerAction

    /// The watermark reached `time`: the window's end (`isEndOfWindow`, `time == window.maxTimestamp`) or the
    /// trigger's own `eventTimer`.
    func onEventTime(
        _ time: Int64, window: TimeWindow, isEndOfWindow: Bool, context: inout TriggerContext
    ) -> TriggerAction

    /// The processing clock reached the trigger's `processingTimer`.
    func onProcessingTime(_ time: Int64, window: TimeWindow, context: inout TriggerContext) -> TriggerAction

    /// Session windows merged into `window`; `context.state` starts as the default merge of `merged`
    /// (counts and firings summed, earliest timers kept).
    func onMerge(window: TimeWindow, merged: [TriggerState], context: inout TriggerContext)
}

extension WindowTrigger {
    /// Keeps the default merge.
    public func onMerge(window: TimeWindow, merged: [TriggerState], context: inout TriggerContext) {}

    /// Ignores processing time.
    public func onProcessingTime(_ time: Int64, window: TimeWindow, context: inout TriggerContext) -> TriggerAction {
        .continue
    }
}

extension TriggerState {
    /// The default merge of session windows' trigger states: counts and firings summed, earliest timers kept.
    @usableFromInline
    static func merged(_ states: [TriggerState]) -> TriggerState {
        var result = TriggerState()
        for state in states {
            result.count += state.count
            result.firings += state.firings
            result.scratch += state.scratch
            if let timer = state.eventTimer { result.eventTimer = Swift.min(result.eventTimer ?? timer, timer) }
            if let timer = state.processingTimer {
                result.processingTimer = Swift.min(result.processingTimer ?? timer, timer)
            }
        }
        return result
    }
}
