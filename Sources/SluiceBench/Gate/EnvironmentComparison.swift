/// Whether a baseline and a candidate were measured in comparable environments, and how they differ.
///
/// Comparable means the same environment key (machine class, toolchain, build configuration, allocator) and
/// the same results schema. Other differences (kernel, CPU model, commit) are listed but do not block.
public struct EnvironmentComparison: Codable, Hashable, Sendable {
    /// The baseline's environment key.
    public var baselineKey: String
    /// The candidate's environment key.
    public var candidateKey: String
    /// True when the two can be compared.
    public var isComparable: Bool
    /// True when they could not be compared but `--force-incomparable` made the gate compare them anyway.
    public var isForced: Bool
    /// The fields that block comparison, as `field: baseline → candidate`.
    public var blockingDifferences: [String]
    /// Other fields that differ, for information.
    public var otherDifferences: [String]

    /// Compares two fingerprints.
    public init(baseline: EnvironmentFingerprint, candidate: EnvironmentFingerprint, isForced: Bool = false) {
        func difference(_ name: String, _ lhs: String?, _ rhs: String?) -> String? {
            lhs == rhs ? nil : "\(name): \(lhs ?? "none") → \(rhs ?? "none")"
        }
        baselineKey = baseline.environmentKey
        candidateKey = candidate.environmentKey
        blockingDifferences = [
            difference("machineClass", baseline.machineClass, candidate.machineClass),
            difference("toolchain", baseline.toolchain, candidate.toolchain),
            difference("buildConfiguration", baseline.buildConfiguration, candidate.buildConfiguration),
            difference("allocator", baseline.allocator, candidate.allocator),
            difference("schemaVersion", String(baseline.schemaVersion), String(candidate.schemaVersion)),
        ].compactMap { $0 }
        otherDifferences = [
            difference("cpuModel", baseline.cpuModel, candidate.cpuModel),
            difference("coreCount", String(baseline.coreCount), String(candidate.coreCount)),
            difference("kernel", baseline.kernel, candidate.kernel),
            difference("allocatorVersion", baseline.allocatorVersion, candidate.allocatorVersion),
            difference("harnessVersion", baseline.harnessVersion, candidate.harnessVersion),
        ].compactMap { $0 }
        isComparable = blockingDifferences.isEmpty && baselineKey == candidateKey
        self.isForced = isForced && !isComparable
    }

    /// The message the gate refuses with.
    public var refusal: String {
        "the baseline (\(baselineKey)) and the candidate (\(candidateKey)) come from incomparable environments: "
            + blockingDifferences.joined(separator: "; ")
            + ". Record a baseline in this environment (sluice-bench baseline update), "
            + "or pass --force-incomparable to compare anyway"
    }
}
