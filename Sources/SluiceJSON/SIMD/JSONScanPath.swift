/// How a `JSONTokenReader` scans bytes. Every path accepts the same inputs, emits the same tokens and reports the
/// same errors at the same offsets (the conformance suite and the chunk-invariance properties run on each, against
/// the scalar path); they differ only in speed. `preferred` is the default.
public enum JSONScanPath: Hashable, Sendable, CaseIterable {
    /// Byte-at-a-time and 8-bytes-in-a-word (SWAR) scanning: the reference path, the oracle of the others.
    case scalar
    /// String content, UTF-8 sequences, number digits and whitespace runs classified 16 to 64 bytes at a time
    /// with vector compares packed into bit masks (`CSluiceSIMD`); anything unusual (an escape, an error, the end
    /// of the window) is handed to the scalar code at a sequence boundary, so errors are always found and worded
    /// by it. The default: measured 1.05–1.07× the scalar path in 4 KiB chunks on the corpus (geometric mean of
    /// three runs; slower on citm_catalog, faster on the number-heavy files; see the README's parser section).
    case simd
    /// The SIMD path with a structural index (stage 1, `JSONStringBlock` and `JSONSpaceBlock`): each 64-byte block is classified
    /// once into quote, escape, control/non-ASCII, whitespace and newline masks, with the backslash state carried
    /// from block to block, and the reader skips whitespace and finds a string's end from the masks, stopping
    /// inside a string only at an escape or a non-ASCII or control byte. Escapes and UTF-8 sequences are still
    /// validated (and every error worded) by the scalar code. Measured slower than `.scalar` on every corpus file
    /// (the per-token bookkeeping of the masks costs more than the SWAR loops it replaces; see the README's
    /// parser section), so it is not the default.
    case indexed

    /// The path a reader uses unless told otherwise: the fastest one measured on the corpus, `.simd`.
    public static let preferred = JSONScanPath.simd
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
