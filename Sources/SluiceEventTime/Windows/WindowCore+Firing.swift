import Synchronization
import HeapModule
import Sluice

/// Triggers, timers, firing, eviction: what happens to windows as elements, watermarks and time arrive.
extension WindowCore {
    // MARK: Trigger state of one window

    @inlinable func triggerState(_ window: TimeWindow, in state: State) -> TriggerState? {
        if isSession { return state.sessions.first { $0.window == window }?.trigger }
        return state.slots[window.start]?.trigger ?? TriggerState()
    }

    @inlinable mutating func setTriggerState(_ trigger: TriggerState, _ window: TimeWindow, in state: inout State) {
        if isSession {
            if let index = state.sessions.firstIndex(where: { $0.window == window }) {
                state.sessions[index].trigger = trigger
            }
            return
        }
        if state.slots[window.start] == nil { addBytes(Self.slotBytes) }
        state.slots[window.start, default: State.Slot(partial: accumulator.create())].trigger = trigger
    }

    /// Calls the trigger for `window` and applies what it returns: stores its state, schedules the timers it
    /// asked for, fires and purges.
    @inlinable mutating func runTrigger(
        state: inout State, window: TimeWindow, isEndOfWindow: Bool = false, eventTime: Int64? = nil,
        evicted: Bool = false, _ call: (Trigger, inout TriggerContext) -> TriggerAction
    ) {
        guard let before = triggerState(window, in: state) else { return }
        let now = processingTime()
        var context = TriggerContext(watermark: watermark, processingTime: now, state: before)
        let action: TriggerAction = evicted ? .fire : call(trigger, &context)
        var after = context.state
        if action.contains(.fire), let partial = fireContents(window, state: &state) {
            // A trigger's own event timer is early or late by its time, not by the watermark the stage is moving
            // to (which may already be past the window's end when several timers fall due at once).
            let reference = eventTime ?? watermark
            let timing: PaneInfo.Timing =
                evicted ? .evicted : isEndOfWindow ? .onTime : window.maxTimestamp > reference ? .early : .late
            if timing == .late { count(.lateFirings) }
            let triggeredAt = eventTime != nil || isEndOfWindow ? watermarkCreatedAt : configuration.clock.nowNanoseconds()
            pending.append(
                Result(
                    key: state.key, window: window, value: accumulator.result(partial),
                    pane: PaneInfo(
                        timing: timing, index: after.firings, isPurge: action.contains(.purge),
                        triggeredAtNanoseconds: triggeredAt)))
            after.firings += 1
        }
        if after != before {
            // A window about to be cleaned up needs no firing count; not storing it keeps the sliced path free
            // of per-window state under the plain event-time trigger.
            var onlyFirings = after
            onlyFirings.firings = before.firings
            let isFinal = onlyFirings == before && cleanupTime(window) <= watermark
            if !isFinal || isSession { setTriggerState(after, window, in: &state) }
            if let time = after.eventTimer, time != before.eventTimer {
                timers.insert(WindowTimer(time: time, kind: .trigger, ordinal: state.ordinal, window: window))
            }
            if let time = after.processingTimer, time != before.processingTimer {
                processingTimers.insert(WindowTimer(time: time, kind: .trigger, ordinal: state.ordinal, window: window))
            }
        }
        if action.contains(.purge) {
            if isSession {
                count(.purges)
                if let index = state.sessions.firstIndex(where: { $0.window == window }) {
                    state.sessions[index].partial = accumulator.create()
                    state.sessions[index].hasContents = false
                }
            } else {
                purgeAligned(window, state: &state)
            }
        }
    }

    @inlinable mutating func fireContents(_ window: TimeWindow, state: inout State) -> Partial? {
        if isSession {
            guard let session = state.sessions.first(where: { $0.window == window }), session.hasContents else { return nil }
            return session.partial
        }
        return alignedContents(window, state: &state)
    }

    @inlinable func windowExists(_ window: TimeWindow, in state: State) -> Bool {
        isSession ? state.sessions.contains { $0.window == window } : state.registered.contains(window.start)
    }

    // MARK: Watermark and timers

    /// Moves the watermark to `target` and runs every event-time timer and cleanup due, in timer order.
    @inlinable mutating func advanceWatermark(to target: Int64) {
        watermark = target
        while true {
            let timer: WindowTimer
            switch (timers.min, cleanups.min) {
            case (let next?, let cleanup?):
                guard Swift.min(next, cleanup).time <= target else { return }
                timer = next < cleanup ? timers.removeMin() : cleanups.removeMin()
            case (let next?, nil):
                guard next.time <= target else { return }
                timer = timers.removeMin()
            case (nil, let cleanup?):
                guard cleanup.time <= target else { return }
                timer = cleanups.removeMin()
            case (nil, nil):
                return
            }
            handle(timer)
        }
    }

    @inlinable mutating func handle(_ timer: WindowTimer, evicting: Bool = false) {
        guard let key = keysByOrdinal[timer.ordinal] else { return }
        withState(key, create: false) { core, state in
            guard core.windowExists(timer.window, in: state) else { return }
            let window = timer.window
            switch timer.kind {
            case .endOfWindow:
                core.runTrigger(state: &state, window: window, isEndOfWindow: true) { trigger, context in
                    trigger.onEventTime(window.maxTimestamp, window: window, isEndOfWindow: true, context: &context)
                }
            case .trigger:
                guard var triggerState = core.triggerState(window, in: state), triggerState.eventTimer == timer.time
                else { return }
                triggerState.eventTimer = nil
                core.setTriggerState(triggerState, window, in: &state)
                core.runTrigger(state: &state, window: window, eventTime: timer.time) { trigger, context in
                    trigger.onEventTime(timer.time, window: window, isEndOfWindow: false, context: &context)
                }
            case .cleanup:
                if evicting {
                    core.count(.evictedWindows)
                    if window.maxTimestamp > core.watermark {
                        core.runTrigger(state: &state, window: window, evicted: true) { _, _ in .fire }
                    }
                }
                core.cleanUp(window, state: &state)
            }
        }
    }

    @inlinable mutating func cleanUp(_ window: TimeWindow, state: inout State) {
        if isSession {
            guard let index = state.sessions.firstIndex(where: { $0.window == window }) else { return }
            state.sessions.remove(at: index)
            addWindows(-1)
            addBytes(-Self.sessionBytes)
        } else {
            cleanUpAligned(window, state: &state)
        }
    }

    /// Runs the processing-time timers due at `now`.
    @inlinable mutating func fireProcessingTimers(now: Int64) {
        while let next = processingTimers.min, next.time <= now {
            let timer = processingTimers.removeMin()
            guard let key = keysByOrdinal[timer.ordinal] else { continue }
            withState(key, create: false) { core, state in
                let window = timer.window
                guard core.windowExists(window, in: state),
                    var triggerState = core.triggerState(window, in: state), triggerState.processingTimer == timer.time
                else { return }
                triggerState.processingTimer = nil
                core.setTriggerState(triggerState, window, in: &state)
                core.runTrigger(state: &state, window: window) { trigger, context in
                    trigger.onProcessingTime(timer.time, window: window, context: &context)
                }
            }
        }
    }

    /// The late event guard: evicts the windows with the oldest cleanup time until `incoming` more windows
    /// fit under the cap. Runs before an element is added (outside any stripe lock), so the cap is never
    /// exceeded, not even for a moment.
    @inlinable mutating func enforceCap(incoming: Int64 = 0) {
        guard let cap = configuration.maxWindows, configuration.overflowPolicy == .evictOldest else { return }
        let room = Int64(cap) - Swift.min(incoming, Int64(cap))
        while liveWindows > room, !cleanups.isEmpty {
            handle(cleanups.removeMin(), evicting: true)
        }
    }
}
