/// Which lanes of a stored baseline can be compared on another host.
///
/// Counts (allocations, instructions) depend on the code, the toolchain, the architecture, the build configuration
/// and the allocator, not on the CPU model, the core count or the memory size. A baseline recorded on another host
/// of the same architecture, toolchain, configuration and allocator is therefore still exact for them, while its
/// timings are not comparable: the gate then judges the deterministic lanes and shows the timing lane unjudged.
public enum DeterministicLanes {
    /// The key counts are comparable under: architecture, toolchain, build configuration and allocator.
    public static func key(_ environment: EnvironmentFingerprint) -> String {
        let architecture = environment.machineClass.split(separator: "-").first.map(String.init) ?? "unknown"
        return "\(architecture)-\(environment.toolchain)-\(environment.buildConfiguration)-\(environment.allocator)"
            + "-schema\(environment.schemaVersion)"
    }

    /// Why only the deterministic lanes of `baseline` can be compared with `candidate` (they differ in the host
    /// alone), or nil when the difference is larger (or there is none).
    public static func hostOnlyDifference(baseline: EnvironmentFingerprint, candidate: EnvironmentFingerprint)
        -> String?
    {
        guard key(baseline) == key(candidate), baseline.machineClass != candidate.machineClass else { return nil }
        return "the baseline comes from another host (\(baseline.machineClass), \(baseline.cpuModel)) than this "
            + "run (\(candidate.machineClass), \(candidate.cpuModel)): its timings are not comparable here; "
            + "compare them in a same-session comparison"
    }

    /// Marks every comparison outside the deterministic lane as not judged, with `reason`. O(comparisons).
    static func restrict(_ comparisons: inout [MetricComparison], reason: String) {
        for index in comparisons.indices where comparisons[index].lane != .deterministic {
            comparisons[index].outcome = .notGated
            comparisons[index].verdictClass = nil
            comparisons[index].note = "not comparable on this host: " + reason
        }
    }
}
