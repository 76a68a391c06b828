import Sluice
import SluiceEventTime
import SluiceTestKit

/// An element timeline for trigger tests, driven on a virtual processing clock.
enum Step: Sendable {
    /// An element of key 0 at event time `t` with value `v`.
    case element(Int64, Int64)
    case watermark(Int64)
    /// Moves the virtual processing clock by `ms`.
    case advance(Int64)
    case end
}

enum Timeline {
    /// `start:end=sum/count timing[+purge]`.
    static func describe(_ result: WindowResult<Int, SumAccumulator<Event>.Partial>) -> String {
        let start = result.window.start == Int64.min ? "min" : "\(result.window.start)"
        let end = result.window.end == Int64.max ? "max" : "\(result.window.end)"
        return "\(start):\(end)=\(result.value.sum)/\(result.value.count) \(result.pane.timing.rawValue)"
            + (result.pane.isPurge ? "+purge" : "")
    }

    /// Runs `steps` through a window stage and describes its firings. The processing clock starts at `clockStart`
    /// ms (processing-time triggers compare it with window ends: their rows use processing-time stamps).
    static func run(
        _ steps: [Step], assigner: WindowAssigner, trigger: some WindowTrigger, lateness: Int64 = 0,
        strategy: WindowStrategy = .sliced, counters: WindowCounters = WindowCounters(), clockStart: UInt64 = 0
    ) throws -> [String] {
        let clock = ManualClock(start: clockStart * 1_000_000)
        var stage = WindowOperator(
            name: "window", assigner: assigner, trigger: trigger, accumulator: SumAccumulator<Event> { $0.value },
            key: { $0.key },
            configuration: WindowConfiguration(
                allowedLateness: lateness, strategy: strategy, clock: clock, counters: counters))
        var fired: [String] = []
        let emit = { (result: WindowResult<Int, SumAccumulator<Event>.Partial>) in fired.append(describe(result)) }
        for step in steps {
            switch step {
            case .element(let time, let value):
                try stage.process(.element(Event(key: 0, timestamp: time, value: value), timestamp: time), emit: emit)
            case .watermark(let time):
                try stage.process(.watermark(Watermark(timestamp: time)), emit: emit)
            case .advance(let milliseconds):
                clock.advance(by: UInt64(milliseconds) * 1_000_000)
            case .end:
                try stage.finish(emit: emit)
            }
        }
        return fired
    }
}
