/// The built-in triggers: event time (with early and late firings), processing time, count, and the
/// continuous triggers; any of them can be made purging.
///
/// | trigger | fires |
/// |---|---|
/// | `.eventTime()` | when the watermark passes the window's end; again for each late element within the allowed lateness |
/// | `.eventTime(early: .every(n))` | also every `n` elements before the end (early firings) |
/// | `.eventTime(early: .after(ms))` | also `ms` of processing time after the first element of each early pane |
/// | `.eventTime(lateEvery: n)` | late firings once per `n` late elements |
/// | `.processingTime()` | when the processing clock passes the window's end |
/// | `.count(n)` | every `n` elements |
/// | `.continuousEventTime(ms)` | every `ms` of event time while the window is open, and at its end |
/// | `.continuousProcessingTime(ms)` | every `ms` of processing time after the first element |
///
/// `.purging()` turns every fire into fire-and-purge.
public struct Trigger: WindowTrigger, Hashable {
    /// When an event-time trigger fires before the window's end.
    public struct EarlyFiring: Sendable, Hashable {
        enum Kind: Hashable, Sendable {
            case count(Int64)
            case processingTime(Int64)
        }

        let kind: Kind

        /// Every `count` elements.
        public static func every(_ count: Int64) -> EarlyFiring {
            precondition(count > 0, "early firing count must be positive")
            return EarlyFiring(kind: .count(count))
        }

        /// `milliseconds` of processing time after the first element of an early pane.
        public static func after(milliseconds: Int64) -> EarlyFiring {
            precondition(milliseconds > 0, "early firing delay must be positive")
            return EarlyFiring(kind: .processingTime(milliseconds))
        }
    }

    enum Kind: Hashable, Sendable {
        case eventTime(early: EarlyFiring?, lateEvery: Int64)
        case processingTime
        case count(Int64)
        case continuousEventTime(Int64)
        case continuousProcessingTime(Int64)
    }

    let kind: Kind
    /// Whether every fire is a fire-and-purge.
    public let isPurging: Bool

    /// Fires when the watermark passes the window's end, with optional early firings and a late firing every
    /// `lateEvery` late elements (1: each late element re-fires the window).
    public static func eventTime(early: EarlyFiring? = nil, lateEvery: Int64 = 1) -> Trigger {
        precondition(lateEvery > 0, "lateEvery must be positive")
        return Trigger(kind: .eventTime(early: early, lateEvery: lateEvery), isPurging: false)
    }

    /// Fires when the stage's processing clock passes the window's end (for windows over processing-time stamps).
    public static func processingTime() -> Trigger { Trigger(kind: .processingTime, isPurging: false) }

    /// Fires every `count` elements.
    public static func count(_ count: Int64) -> Trigger {
        precondition(count > 0, "trigger count must be positive")
        return Trigger(kind: .count(count), isPurging: false)
    }

    /// Fires every `interval` milliseconds of event time while the window is open, and at its end.
    public static func continuousEventTime(_ interval: Int64) -> Trigger {
        precondition(interval > 0, "interval must be positive")
        return Trigger(kind: .continuousEventTime(interval), isPurging: false)
    }

    /// Fires every `interval` milliseconds of processing time, starting from the window's first element.
    public static func continuousProcessingTime(_ interval: Int64) -> Trigger {
        precondition(interval > 0, "interval must be positive")
        return Trigger(kind: .continuousProcessingTime(interval), isPurging: false)
    }

    /// The same trigger, with every fire turned into fire-and-purge.
    public func purging() -> Trigger { Trigger(kind: kind, isPurging: true) }

    /// False only for `.eventTime()` without early firings, which needs no call per on-time element.
    public var observesElements: Bool {
        if case .eventTime(nil, _) = kind { return false }
        return true
    }

    private func fire() -> TriggerAction { isPurging ? .fireAndPurge : .fire }

    /// Counts late elements (firing every `lateEvery`) and early-count or count-trigger elements (firing every
    /// `n`), and sets the processing-time or continuous timer when none is set; otherwise continues.
    public func onElement(timestamp: Int64, window: TimeWindow, context: inout TriggerContext) -> TriggerAction {
        switch kind {
        case .eventTime(let early, let lateEvery):
            if window.maxTimestamp <= context.watermark {
                context.state.count += 1
                guard context.state.count >= lateEvery else { return .continue }
                context.state.count = 0
                return fire()
            }
            switch early?.kind {
            case .count(let every):
                context.state.count += 1
                guard context.state.count >= every else { return .continue }
                context.state.count = 0
                return fire()
            case .processingTime(let delay):
                if context.state.processingTimer == nil {
                    context.state.processingTimer = context.processingTime + delay
                }
                return .continue
            case nil:
                return .continue
            }
        case .processingTime:
            if context.state.processingTimer == nil { context.state.processingTimer = window.maxTimestamp }
            return .continue
        case .count(let every):
            context.state.count += 1
            guard context.state.count >= every else { return .continue }
            context.state.count = 0
            return fire()
        case .continuousEventTime(let interval):
            if context.state.eventTimer == nil {
                let next = WindowAssigner.floor(Swift.max(timestamp, context.watermark), to: interval) + interval
                if next < window.maxTimestamp { context.state.eventTimer = next }
            }
            return .continue
        case .continuousProcessingTime(let interval):
            if context.state.processingTimer == nil {
                context.state.processingTimer = WindowAssigner.floor(context.processingTime, to: interval) + interval
            }
            return .continue
        }
    }

    /// Fires an event-time trigger at the window's end (resetting its count and early timer), and a continuous
    /// event-time trigger at each timer and at the end (re-arming `interval` later while inside the window).
    public func onEventTime(
        _ time: Int64, window: TimeWindow, isEndOfWindow: Bool, context: inout TriggerContext
    ) -> TriggerAction {
        switch kind {
        case .eventTime:
            guard isEndOfWindow else { return .continue }
            context.state.count = 0
            context.state.processingTimer = nil
            return fire()
        case .continuousEventTime(let interval):
            if isEndOfWindow {
                context.state.eventTimer = nil
                return fire()
            }
            let next = time + interval
            if next < window.maxTimestamp { context.state.eventTimer = next }
            return fire()
        case .processingTime, .count, .continuousProcessingTime:
            return .continue
        }
    }

    /// A merged session's processing-time trigger waits for the merged window's end (the default merge would
    /// keep the earliest end of the sessions merged).
    public func onMerge(window: TimeWindow, merged: [TriggerState], context: inout TriggerContext) {
        if case .processingTime = kind { context.state.processingTimer = window.maxTimestamp }
    }

    /// Fires processing-time triggers, the early panes of event-time triggers (only while the watermark is before
    /// the window's end) and continuous processing-time triggers (re-arming `interval` later); others continue.
    public func onProcessingTime(_ time: Int64, window: TimeWindow, context: inout TriggerContext) -> TriggerAction {
        switch kind {
        case .eventTime(early: let early, _):
            // An early pane: only while the watermark has not reached the end (the on-time firing covers the rest).
            guard case .processingTime = early?.kind, window.maxTimestamp > context.watermark else { return .continue }
            return fire()
        case .processingTime:
            return fire()
        case .continuousProcessingTime(let interval):
            context.state.processingTimer = time + interval
            return fire()
        case .count, .continuousEventTime:
            return .continue
        }
    }
}
