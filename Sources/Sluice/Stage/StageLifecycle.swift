/// When a stage instance is started, how long it lives, and where it comes from (design section 2).
public struct StageLifecycle: Hashable, Sendable, CustomStringConvertible {
    enum Base: Hashable, Sendable {
        case onDemand
        case persistent
        case continuous
    }

    let base: Base

    /// Started lazily when the first element reaches it; a fresh copy per run. Not started at all if no element
    /// arrives. The default.
    public static let onDemand = StageLifecycle(base: .onDemand)
    /// Taken from a `StagePool` when the run starts and returned when it stops, so that its state (caches,
    /// warmed buffers) survives from run to run. The pool caps how many idle instances are kept.
    public static let persistent = StageLifecycle(base: .persistent)
    /// Started when the run starts, whether or not any element arrives, and stopped when it ends.
    public static let continuous = StageLifecycle(base: .continuous)

    /// `OnDemand`, `Persistent` or `Continuous`.
    public var description: String {
        switch base {
        case .onDemand: "OnDemand"
        case .persistent: "Persistent"
        case .continuous: "Continuous"
        }
    }
}

/// Start and stop hooks of a stage. Each is called at most once per run, with the stage's name.
///
/// `onStart` runs before the stage sees its first element (for `onDemand`, only if one arrives); `onStop` runs after
/// its `finish`, and only if the stage was started. Hooks run on the engine's thread or task for that stage.
public struct StageHooks: Sendable {
    /// Called when the stage starts.
    public var onStart: @Sendable (String) -> Void
    /// Called when the stage stops.
    public var onStop: @Sendable (String) -> Void

    /// Creates hooks; either may be left out.
    public init(
        onStart: @escaping @Sendable (String) -> Void = { _ in },
        onStop: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.onStart = onStart
        self.onStop = onStop
    }
}
