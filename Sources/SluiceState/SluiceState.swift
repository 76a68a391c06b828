import Sluice

/// Keyed state, checkpoints and recovery for Sluice pipelines.
public enum SluiceStateInfo {
    /// The version of the state and checkpoint formats this build writes.
    public static let formatVersion = 1
}
