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
}
#endif
