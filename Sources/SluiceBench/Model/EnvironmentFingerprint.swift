/// Where and how results were produced. Results from incomparable environments are never compared silently.
public struct EnvironmentFingerprint: Codable, Hashable, Sendable {
    /// The Swift toolchain, e.g. `Swift version 6.3.1 (swift-6.3.1-RELEASE)`.
    public var toolchain: String
    /// `release` or `debug`.
    public var buildConfiguration: String
    /// The git commit of the measured code, or `unknown`.
    public var commit: String
    /// Whether the work tree had uncommitted changes.
    public var isDirty: Bool
    /// CPU model name from /proc/cpuinfo.
    public var cpuModel: String
    /// Logical cores available.
    public var coreCount: Int
    /// Kernel release from uname.
    public var kernel: String
    /// `jemalloc` or `system`.
    public var allocator: String
    /// The allocator's version, where known.
    public var allocatorVersion: String?
    /// The harness version (`HarnessInfo.version`).
    public var harnessVersion: String
    /// The results schema version.
    public var schemaVersion: Int
    /// A short class for the machine, e.g. `x86_64-2c-24g`.
    public var machineClass: String

    /// Creates a fingerprint.
    public init(
        toolchain: String, buildConfiguration: String, commit: String, isDirty: Bool, cpuModel: String,
        coreCount: Int, kernel: String, allocator: String, allocatorVersion: String?, harnessVersion: String,
        schemaVersion: Int, machineClass: String
    ) {
        self.toolchain = toolchain
        self.buildConfiguration = buildConfiguration
        self.commit = commit
        self.isDirty = isDirty
        self.cpuModel = cpuModel
        self.coreCount = coreCount
        self.kernel = kernel
        self.allocator = allocator
        self.allocatorVersion = allocatorVersion
        self.harnessVersion = harnessVersion
        self.schemaVersion = schemaVersion
        self.machineClass = machineClass
    }

    /// The key baselines are stored under: machine class, toolchain, build configuration and allocator.
    /// Only characters safe in a folder name are kept.
    public var environmentKey: String {
        let toolchainVersion = toolchain.split(separator: " ").first { $0.first?.isNumber == true } ?? "unknown"
        let raw = "\(machineClass)-swift\(toolchainVersion)-\(buildConfiguration)-\(allocator)"
        return String(raw.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" ? $0 : "_" })
    }
}
