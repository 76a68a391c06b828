/// When a tier of `SpillingStateBackend` spills to the next one.
///
/// A tier spills when it holds more than `maxKeys` keys or more than `maxBytes` live logical bytes,
/// whichever comes first (nil: no limit on that measure).
public struct SpillPolicy: Sendable, Hashable {
    /// The RAM tier's limit in keys.
    public var memoryMaxKeys: Int?
    /// The RAM tier's limit in live bytes.
    public var memoryMaxBytes: Int?
    /// The memory-mapped tier's limit in keys.
    public var mappedMaxKeys: Int?
    /// The memory-mapped tier's limit in live bytes.
    public var mappedMaxBytes: Int?

    /// Creates a policy.
    public init(memoryMaxKeys: Int? = nil, memoryMaxBytes: Int? = 64 << 20, mappedMaxKeys: Int? = nil,
        mappedMaxBytes: Int? = 512 << 20)
    {
        precondition((memoryMaxKeys ?? 1) > 0 && (memoryMaxBytes ?? 1) > 0, "spill thresholds must be positive")
        precondition((mappedMaxKeys ?? 1) > 0 && (mappedMaxBytes ?? 1) > 0, "spill thresholds must be positive")
        self.memoryMaxKeys = memoryMaxKeys
        self.memoryMaxBytes = memoryMaxBytes
        self.mappedMaxKeys = mappedMaxKeys
        self.mappedMaxBytes = mappedMaxBytes
    }

    func memoryIsOver(keys: Int, bytes: Int) -> Bool {
        keys > (memoryMaxKeys ?? .max) || bytes > (memoryMaxBytes ?? .max)
    }

    func mappedIsOver(keys: Int, bytes: Int) -> Bool {
        keys > (mappedMaxKeys ?? .max) || bytes > (mappedMaxBytes ?? .max)
    }
}
