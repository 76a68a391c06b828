import Histogram

/// Benchmarks of the harness itself: what it costs to record a sample.
enum HarnessBenchmarks {
    static let all: [Benchmark] = [histogramRecord]

    struct HistogramState {
        var histogram = Histogram<UInt64>(
            highestTrackableValue: LatencyRecorder.highestTrackableValue, numberOfSignificantValueDigits: .three)
        var value: UInt64 = 0
        var recorded: UInt64 = 0
    }

    /// `micro/harness/histogram-record`: one `Histogram.record` of a varying value (the runner's own per-sample cost
    /// besides the clock reads).
    static let histogramRecord = Benchmark.synchronous(
        "micro/harness/histogram-record",
        summary: "one HDR histogram record (3 significant digits) of a varying value",
        setup: { _ in BenchmarkSetup(state: HistogramState(), itemsPerOperation: 1) },
        operation: { state in
            // Walk values from 1 µs to ~66 ms so that records land in many buckets, as real samples do.
            state.value = (state.value &+ 7_919) & 0x3FF_FFFF
            _ = state.histogram.record(1_000 &+ state.value)
            state.recorded &+= 1
        },
        check: { state in
            state.histogram.totalCount == state.recorded
                ? nil : "histogram holds \(state.histogram.totalCount) values, \(state.recorded) were recorded"
        })
}
