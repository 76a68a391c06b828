/// Limits that protect a parser from hostile or runaway input.
///
/// Each limit has a sensible default; exceeding one is a `JSONParseError` with the matching code,
/// reported at the offset where the limit was crossed. Limits are never a crash.
public struct JSONLimits: Hashable, Sendable {
    /// The deepest nesting of arrays and objects allowed. Default 512.
    public var maxDepth: Int
    /// The longest string, key or number allowed, in bytes of input. Default 64 MiB.
    public var maxTokenLength: Int
    /// The largest single document allowed, in bytes of input. Default 256 MiB.
    public var maxDocumentSize: Int

    /// Creates limits; every value must be positive.
    public init(maxDepth: Int = 512, maxTokenLength: Int = 64 << 20, maxDocumentSize: Int = 256 << 20) {
        precondition(maxDepth > 0 && maxTokenLength > 0 && maxDocumentSize > 0, "JSON limits must be positive")
        self.maxDepth = maxDepth
        self.maxTokenLength = maxTokenLength
        self.maxDocumentSize = maxDocumentSize
    }

    /// The defaults: depth 512, tokens up to 64 MiB, documents up to 256 MiB.
    public static let `default` = JSONLimits()
}
