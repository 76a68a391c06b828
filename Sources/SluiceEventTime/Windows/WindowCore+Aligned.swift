import Synchronization
import HeapModule
import Sluice

/// Tumbling, sliding, global and count windows: slices, per-window partials, registration and firing.
extension WindowCore {
    /// Adds an element of an aligned assigner, or sets `refused`.
    @inlinable mutating func addAligned(_ element: Element, timestamp: Int64) {
        var (first, last) = startRange(timestamp)
        guard cleanupTime(window(startingAt: last)) > watermark else {
            refused = .beyondAllowedLateness
            return
        }
        // Windows of the element already cleaned up are not touched.
        while cleanupTime(window(startingAt: first)) <= watermark { first += slide }
        let key = keyOf(element)
        withState(key, create: true) { core, state in
            core.addAligned(element, timestamp: timestamp, first: first, last: last, state: &state)
        }
    }

    @inlinable mutating func addAligned(
        _ element: Element, timestamp: Int64, first: Int64, last: Int64, state: inout State
    ) {
        if !registerAligned(first: first, last: last, state: &state) {
            refused = .windowCapReached
            return
        }
        count(.elements)
        if isSliced {
            let index = sliceIndex(timestamp)
            let before = state.slices.count
            accumulator.add(element, to: &state.slices[index, default: accumulator.create()])
            let isNewSlice = state.slices.count != before
            if isNewSlice { addBytes(Self.partialBytes) }
            if usesRunningPartial, var running = state.running, running.lower <= index, index < running.upper {
                state.running = nil
                accumulator.add(element, to: &running.partial)
                if isNewSlice { running.present += 1 }
                state.running = running
            }
            if !state.slots.isEmpty {
                var start = first
                while start <= last {
                    if state.slots[start]?.ownsPartial == true {
                        accumulator.add(element, to: &state.slots[start, default: State.Slot(partial: accumulator.create())].partial)
                        state.slots[start, default: State.Slot(partial: accumulator.create())].hasContents = true
                    }
                    start += slide
                }
            }
        } else {
            var start = first
            while start <= last {
                if state.slots[start] == nil {
                    state.slots[start] = State.Slot(partial: accumulator.create(), ownsPartial: true)
                    addBytes(Self.slotBytes + Self.partialBytes)
                }
                accumulator.add(element, to: &state.slots[start, default: State.Slot(partial: accumulator.create())].partial)
                state.slots[start, default: State.Slot(partial: accumulator.create())].hasContents = true
                start += slide
            }
        }
        // The trigger sees the element for windows the watermark has passed (late firings) and, when it
        // observes elements, for every window.
        // (Without element-observing triggers only the windows the watermark has passed are visited: none for
        // an on-time element, so the sliced path stays O(1) per element.)
        let lateLimit = watermark
        let passed = lateLimit < Int64.min + size ? Int64.min : lateLimit - (size - 1)
        let lastVisited = trigger.observesElements || isGlobal ? last : Swift.min(last, passed)
        var start = first
        while start <= lastVisited {
            let window = window(startingAt: start)
            if trigger.observesElements || window.maxTimestamp <= lateLimit {
                let timestamp = timestamp
                runTrigger(state: &state, window: window) { trigger, context in
                    trigger.onElement(timestamp: timestamp, window: window, context: &context)
                }
            }
            start += slide
        }
    }

    /// Registers the element's windows not held yet (timers, guard). Returns false when the guard refuses.
    @inlinable mutating func registerAligned(first: Int64, last: Int64, state: inout State) -> Bool {
        if let only = state.registered.ranges.first, state.registered.ranges.count == 1,
            first >= only.lowerBound, last <= only.upperBound
        {
            return true
        }
        if let cap = configuration.maxWindows, configuration.overflowPolicy == .rejectNew {
            var missing: Int64 = 0
            var start = first
            while start <= last {
                if !state.registered.contains(start) { missing += 1 }
                start += slide
            }
            if liveWindows + missing > Int64(cap) { return false }
        }
        let ordinal = state.ordinal
        var added: [Int64] = []
        state.registered.insert(first, last, slide: slide) { added.append($0) }
        for start in added {
            let window = window(startingAt: start)
            if window.maxTimestamp > watermark {
                timers.insert(WindowTimer(time: window.maxTimestamp, kind: .endOfWindow, ordinal: ordinal, window: window))
            }
            cleanups.insert(WindowTimer(time: cleanupTime(window), kind: .cleanup, ordinal: ordinal, window: window))
        }
        addWindows(Int64(added.count))
        return true
    }

    /// The current contents of an aligned window, or nil when it holds nothing.
    @inlinable mutating func alignedContents(_ window: TimeWindow, state: inout State) -> Partial? {
        if let slot = state.slots[window.start], slot.ownsPartial {
            return slot.hasContents ? slot.partial : nil
        }
        guard isSliced else { return nil }
        let lower = sliceIndex(window.start)
        let upper = isGlobal ? 1 : lower + size / sliceLength
        if usesRunningPartial, var running = state.running, running.lower <= lower, running.upper >= lower,
            running.upper <= upper
        {
            for index in running.lower..<lower {
                if let slice = state.slices[index] {
                    accumulator.retract(slice, from: &running.partial)
                    running.present -= 1
                }
            }
            for index in running.upper..<upper {
                if let slice = state.slices[index] {
                    accumulator.combine(slice, into: &running.partial)
                    running.present += 1
                }
            }
            running.lower = lower
            running.upper = upper
            state.running = running
            return running.present > 0 ? running.partial : nil
        }
        var partial = accumulator.create()
        var present = 0
        for index in lower..<upper {
            if let slice = state.slices[index] {
                accumulator.combine(slice, into: &partial)
                present += 1
            }
        }
        if usesRunningPartial { state.running = State.Running(lower: lower, upper: upper, partial: partial, present: present) }
        return present > 0 ? partial : nil
    }

    /// Purges an aligned window's contents.
    @inlinable mutating func purgeAligned(_ window: TimeWindow, state: inout State) {
        count(.purges)
        if isSliced && (size == slide || isGlobal) && state.slots[window.start]?.ownsPartial != true {
            removeSlices(from: sliceIndex(window.start), to: isGlobal ? 1 : sliceIndex(window.start) + size / sliceLength, state: &state)
            return
        }
        if state.slots[window.start] == nil { addBytes(Self.slotBytes) }
        if state.slots[window.start]?.ownsPartial != true { addBytes(Self.partialBytes) }
        state.slots[window.start, default: State.Slot(partial: accumulator.create())].partial = accumulator.create()
        state.slots[window.start, default: State.Slot(partial: accumulator.create())].ownsPartial = true
        state.slots[window.start, default: State.Slot(partial: accumulator.create())].hasContents = false
    }

    /// Removes the slices `lower..<upper`, keeping the running partial consistent.
    @inlinable mutating func removeSlices(from lower: Int64, to upper: Int64, state: inout State) {
        for index in lower..<upper {
            guard let slice = state.slices.removeValue(forKey: index) else { continue }
            addBytes(-Self.partialBytes)
            if var running = state.running, running.lower <= index, index < running.upper {
                state.running = nil
                accumulator.retract(slice, from: &running.partial)
                running.present -= 1
                state.running = running
            }
        }
    }

    /// Drops an aligned window's state once the watermark passed its end plus the allowed lateness (or the
    /// guard evicted it).
    @inlinable mutating func cleanUpAligned(_ window: TimeWindow, state: inout State) {
        guard state.registered.contains(window.start) else { return }
        state.registered.remove(window.start, slide: slide)
        addWindows(-1)
        if let slot = state.slots.removeValue(forKey: window.start) {
            addBytes(-Self.slotBytes - (slot.ownsPartial ? Self.partialBytes : 0))
        }
        if isSliced {
            // Slices before the next window's start belong to no live window any more.
            let lower = sliceIndex(window.start)
            let upper = isGlobal ? 1 : sliceIndex(window.start + slide)
            removeSlices(from: lower, to: upper, state: &state)
            if state.registered.isEmpty {
                state.running = nil
                if !state.slices.isEmpty {
                    addBytes(-Self.partialBytes * Int64(state.slices.count))
                    state.slices.removeAll()
                }
            }
        }
    }
}
