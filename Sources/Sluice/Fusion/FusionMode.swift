/// Whether the fusion planner merges adjacent pure stages into one loop.
public struct FusionMode: Hashable, Sendable, CustomStringConvertible {
    enum Base: Hashable, Sendable {
        case enabled
        case disabled
    }

    let base: Base

    /// Adjacent pure single-output stages (map, filter, materialize) run as one loop: no buffer or channel between
    /// them, and after specialization no per-element dynamic dispatch. Multi-output stages (flatMap) and impure
    /// stages are segments of their own. The default.
    public static let enabled = FusionMode(base: .enabled)
    /// Every stage is its own segment: a batch buffer between stages under the `SyncEngine`, a task and a bounded
    /// channel per stage under the `ConcurrentEngine`.
    public static let disabled = FusionMode(base: .disabled)

    /// `enabled` or `disabled`.
    public var description: String { base == .enabled ? "enabled" : "disabled" }
}

/// The planner's running state while it walks a chain, assigning stage indices and segments.
public struct _ChainPlanState: Sendable {
    @usableFromInline var fusion: FusionMode
    @usableFromInline var nextIndex: Int
    @usableFromInline var segment = 0
    @usableFromInline var previousIsPure: Bool?

    @inlinable
    init(fusion: FusionMode, firstIndex: Int) {
        self.fusion = fusion
        self.nextIndex = firstIndex
    }

    /// Places the next stage: it joins the current segment when it and its predecessor are pure and fusion is on.
    @inlinable
    mutating func place(isPure: Bool) -> (index: Int, segment: Int) {
        if let previousIsPure, !(fusion == .enabled && previousIsPure && isPure) {
            segment += 1
        }
        previousIsPure = isPure
        defer { nextIndex += 1 }
        return (nextIndex, segment)
    }
}
