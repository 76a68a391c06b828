import Foundation

/// The gate's way into `AtomicFile`: the same atomic write (a uniquely named temporary file in the target's
/// folder, flushed, then renamed over the target, so two runs writing at once leave one whole file, never a
/// torn one), with failures as `GateError`.
public enum AtomicFileWriter {
    /// Writes `data` to `url` atomically, creating the parent folder when needed. On failure the target is
    /// untouched.
    /// - Complexity: O(n) in the size of `data`.
    public static func write(_ data: Data, to url: URL) throws(GateError) {
        do {
            try AtomicFile.write(data, to: url)
        } catch let error as HarnessError {
            throw GateError(.ioFailure, error.message, file: url.path)
        } catch {
            throw GateError(.ioFailure, "\(error)", file: url.path)
        }
    }
}
