@_exported import SluiceJSON

/// The Sluice engine: stages wired by bounded channels, run by a synchronous or a concurrent engine.
///
/// `import Sluice` also brings in `SluiceJSON`, the pure parsing layer the JSON stages build on.
public enum SluiceEngineInfo {
    /// The engine's semantic version, recorded in the harness's environment fingerprint.
    public static let version = "0.1.0"
}
