/// Whether two results files were timed on the same host, so that their timings may be compared at all.
///
/// Timings travel between runs only when everything that sets the speed of the code is equal: CPU model,
/// core count, kernel, toolchain, build configuration and allocator. The environment key (machine class) is
/// not enough: an Intel and an AMD host of one machine class differ by tens of percent on the same binary.
/// When the hosts differ the timing lane reports "not comparable on this host" and raises nothing; the
/// deterministic lanes (exact counts) still judge. Two sides measured in one gate session share the host.
public struct HostComparison: Codable, Hashable, Sendable {
    /// True when the timings may be compared.
    public var isComparable: Bool
    /// The fields that differ, as `field: baseline → candidate`.
    public var differences: [String]

    /// Compares the hosts of two fingerprints.
    public init(baseline: EnvironmentFingerprint, candidate: EnvironmentFingerprint) {
        func difference(_ name: String, _ lhs: String, _ rhs: String) -> String? {
            lhs == rhs ? nil : "\(name): \(lhs) → \(rhs)"
        }
        differences = [
            difference("cpuModel", baseline.cpuModel, candidate.cpuModel),
            difference("coreCount", String(baseline.coreCount), String(candidate.coreCount)),
            difference("kernel", baseline.kernel, candidate.kernel),
            difference("toolchain", baseline.toolchain, candidate.toolchain),
            difference("buildConfiguration", baseline.buildConfiguration, candidate.buildConfiguration),
            difference("allocator", baseline.allocator, candidate.allocator),
        ].compactMap { $0 }
        isComparable = differences.isEmpty
    }

    /// The note every timing comparison carries when the hosts differ.
    public var note: String {
        "not comparable on this host (" + differences.joined(separator: "; ")
            + "): timings are judged only against a base measured on the same host, e.g. by `sluice-bench gate`"
    }
}
