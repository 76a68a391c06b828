import Synchronization
import HeapModule
import Sluice

/// Session windows: an element opens `[t, t + gap)`; sessions that touch merge, and so do their accumulators
/// and trigger states.
extension WindowCore {
    @inlinable mutating func addSession(_ element: Element, timestamp: Int64) {
        let (end, overflow) = timestamp.addingReportingOverflow(size)
        let own = TimeWindow(start: timestamp, end: overflow ? Int64.max : end)
        guard cleanupTime(own) > watermark else {
            refused = .beyondAllowedLateness
            return
        }
        withState(keyOf(element), create: true) { core, state in
            core.addSession(element, timestamp: timestamp, own: own, state: &state)
        }
    }

    @inlinable mutating func addSession(_ element: Element, timestamp: Int64, own: TimeWindow, state: inout State) {
        let touching = state.sessions.indices.filter { state.sessions[$0].window.touches(own) }
        if touching.isEmpty, let cap = configuration.maxWindows, configuration.overflowPolicy == .rejectNew,
            liveWindows + 1 > Int64(cap)
        {
            refused = .windowCapReached
            return
        }
        count(.elements)
        var window = own
        var partial = accumulator.create()
        accumulator.add(element, to: &partial)
        var merged: [TriggerState] = []
        var removedWindows: [TimeWindow] = []
        for index in touching {
            let session = state.sessions[index]
            window = window.cover(session.window)
            if session.hasContents { accumulator.combine(session.partial, into: &partial) }
            merged.append(session.trigger)
            removedWindows.append(session.window)
        }
        for index in touching.reversed() { state.sessions.remove(at: index) }
        addWindows(1 - Int64(touching.count))
        addBytes(Self.sessionBytes * (1 - Int64(touching.count)))
        var triggerState = TriggerState.merged(merged)
        let isNewWindow = !removedWindows.contains(window)
        if !merged.isEmpty && (merged.count > 1 || isNewWindow) {
            var context = TriggerContext(watermark: watermark, processingTime: processingTime(), state: triggerState)
            trigger.onMerge(window: window, merged: merged, context: &context)
            triggerState = context.state
        }
        let insertAt = state.sessions.firstIndex { $0.window.start > window.start } ?? state.sessions.count
        state.sessions.insert(State.Session(window: window, partial: partial, trigger: triggerState), at: insertAt)
        if isNewWindow {
            let ordinal = state.ordinal
            if window.maxTimestamp > watermark {
                timers.insert(WindowTimer(time: window.maxTimestamp, kind: .endOfWindow, ordinal: ordinal, window: window))
            }
            cleanups.insert(WindowTimer(time: cleanupTime(window), kind: .cleanup, ordinal: ordinal, window: window))
            if let time = triggerState.eventTimer {
                timers.insert(WindowTimer(time: time, kind: .trigger, ordinal: ordinal, window: window))
            }
            if let time = triggerState.processingTimer {
                processingTimers.insert(WindowTimer(time: time, kind: .trigger, ordinal: ordinal, window: window))
            }
        }
        if trigger.observesElements || window.maxTimestamp <= watermark {
            runTrigger(state: &state, window: window) { trigger, context in
                trigger.onElement(timestamp: timestamp, window: window, context: &context)
            }
        }
    }
}
