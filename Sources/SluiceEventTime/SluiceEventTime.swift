import Sluice

/// Event time for Sluice pipelines: watermarks, window assigners, triggers, late elements, accumulator slice
/// merging and the resequencer, as stages a user appends with the pipeline builder (`.watermarks(...)`,
/// `.window(...)`, `.resequence(...)`).
///
/// Time is an `Int64` count of milliseconds (event time: whatever epoch the data uses; processing time: the
/// stage's `MonotonicClock`, so tests drive it with `ManualClock`).
public enum SluiceEventTimeInfo {
    /// The version of the window-state encoding this build writes into checkpoints.
    public static let stateFormatVersion: UInt8 = 1
}
