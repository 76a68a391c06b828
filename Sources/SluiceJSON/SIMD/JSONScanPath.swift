/// How a `JSONTokenReader` scans bytes. Both paths accept the same inputs, emit the same tokens and report the
/// same errors at the same offsets (the conformance suite and the chunk-invariance properties run on both);
/// they differ only in speed.
public enum JSONScanPath: Hashable, Sendable, CaseIterable {
    /// Byte-at-a-time and 8-bytes-in-a-word (SWAR) scanning: the reference path, and the default because it
    /// measured as fast as or faster than `.simd` on every corpus file (see the README's parser section).
    case scalar
    /// String content, UTF-8 sequences, number digits and whitespace runs classified 16 to 64 bytes at a time
    /// with vector compares packed into bit masks (`CSluiceSIMD`); anything unusual (an escape, an error, the end
    /// of the window) is handed to the scalar code at a sequence boundary, so errors are always found and worded
    /// by it.
    case simd
}
