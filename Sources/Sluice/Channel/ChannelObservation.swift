#if SLUICE_SCHEDULE_HOOKS
/// Test-build hook through which a schedule controller learns which task uses and waits on which channel.
///
/// Compiled only when `SLUICE_SCHEDULE_HOOKS` is defined (debug builds of this package): release builds carry
/// none of it. Not API: SluiceTestKit's `ScheduleController` is its only client.
public protocol _ChannelObserver: Sendable {
    /// The current task sent to (`sending`) or received from `channel`.
    func channelAccessed(_ channel: String, sending: Bool)
    /// The current task is about to suspend on `channel`.
    func channelWillSuspend(_ channel: String, sending: Bool)
    /// The current task resumed after suspending on `channel`.
    func channelDidResume(_ channel: String, sending: Bool)
}

/// Where a `_ChannelObserver` is installed: a task local, inherited by child tasks.
public enum _ChannelObservation {
    /// The observer of the current task tree, if any.
    @TaskLocal public static var observer: (any _ChannelObserver)?
    /// The stage the current task runs, set by `ConcurrentEngine` for each task it spawns, so that a schedule
    /// controller's wait-for graph can name stages as well as channels.
    @TaskLocal public static var stage: String?
    /// Faults planted in channels, by channel name, for the schedule controller's planted-bug tests.
    @TaskLocal public static var faults: [String: _ChannelFault] = [:]
}

/// A bug a test can plant in a `BoundedChannel` (debug builds only), to show that a schedule controller finds it.
public enum _ChannelFault: Sendable, Hashable {
    /// A receive that finds the channel empty yields (the window a preempting scheduler could open) and then
    /// registers as a waiter without looking again: an element sent in the window wakes no one, and the
    /// receiver sleeps for good. The classic lost wakeup.
    case lostWakeup
}
#endif

/// Runs `body` with the current task labelled as the stage `name`, for a schedule controller's wait-for graph.
/// Without `SLUICE_SCHEDULE_HOOKS` (release builds) it only runs `body`.
@inlinable
func _withStageLabel<T>(_ name: String, _ body: () async throws -> T) async rethrows -> T {
    #if SLUICE_SCHEDULE_HOOKS
    try await _ChannelObservation.$stage.withValue(name, operation: body)
    #else
    try await body()
    #endif
}
