extension Benchmark {
    /// This benchmark, declaring `name` as its peer: the benchmark doing the same work another way (Foundation,
    /// swift-async-algorithms, the unfused chain), whose figure `sluice-bench figures` shows beside this one's,
    /// with the ratio.
    public func peer(_ name: String) -> Benchmark {
        var copy = self
        copy.peer = name
        return copy
    }
}
