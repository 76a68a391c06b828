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
    /// The SIMD path with a structural index (stage 1, `JSONStringBlock` and `JSONSpaceBlock`): each 64-byte block is classified
    /// once into quote, escape, control/non-ASCII, whitespace and newline masks, with the backslash state carried
    /// from block to block, and the reader skips whitespace and finds a string's end from the masks, stopping
    /// inside a string only at an escape or a non-ASCII or control byte. Escapes and UTF-8 sequences are still
    /// validated (and every error worded) by the scalar code. Measured slower than `.scalar` on every corpus file
    /// (the per-token bookkeeping of the masks costs more than the SWAR loops it replaces; see the README's
    /// parser section), so it is not the default.
    case indexed
}

/// A scan path as a type: `JSONTokenReader.scan` is generic over it, so each path is compiled into its own loop
/// and the flags below are constants there (the scalar loop carries no test of the other paths).
protocol JSONScanStrategy {
    /// String runs, UTF-8 sequences, digit runs and newline-led whitespace runs are classified with vector masks.
    static var usesSIMD: Bool { get }
    /// Whitespace runs and strings are read from the structural index (`JSONSpaceBlock`, `JSONStringBlock`).
    static var usesIndex: Bool { get }
}

/// `JSONScanPath.scalar`.
enum JSONScalarScan: JSONScanStrategy {
    static var usesSIMD: Bool { false }
    static var usesIndex: Bool { false }
}

/// `JSONScanPath.simd`.
enum JSONSIMDScan: JSONScanStrategy {
    static var usesSIMD: Bool { true }
    static var usesIndex: Bool { false }
}

/// `JSONScanPath.indexed`.
enum JSONIndexedScan: JSONScanStrategy {
    static var usesSIMD: Bool { true }
    static var usesIndex: Bool { true }
}
