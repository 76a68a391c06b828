/// An incremental, strict RFC 8259 tokenizer: bytes in, `JSONToken`s out, with full UTF-8 validation.
///
/// Feed the input in chunks of any size; a chunk may end anywhere, even inside a string, an escape,
/// a number, a literal or a multi-byte UTF-8 sequence. The reader is a pure value type with no I/O.
///
/// Two ways to drive it:
///
/// ```swift
/// // Simple: tokens appended to an array.
/// var reader = JSONTokenReader()
/// var tokens: [JSONToken] = []
/// for chunk in chunks { try reader.feed(chunk, into: &tokens) }
/// try reader.finalize(into: &tokens)
///
/// // Batch ("EmitMany"): a caller-owned token buffer, no allocation per token.
/// reader.feed(chunk)
/// while case let n = try reader.read(into: buffer), n > 0 { use(buffer[..<n]) }
/// // ... after the last chunk:
/// try reader.finalize()
/// while case let n = try reader.read(into: buffer), n > 0 { use(buffer[..<n]) }
/// ```
///
/// **Span lifetime.** String, key and number tokens carry a `JSONSpan` (absolute stream offsets).
/// A span can be decoded with `string(for:)`, `int64(for:)`, `double(for:)`, `number(for:)`,
/// `numberText(for:)` or `withBytes(of:_:)` until the next call to `feed`. After that the bytes may be gone.
///
/// **Memory.** The reader copies each chunk into a reusable internal buffer, keeping only the
/// unfinished token from the previous chunk (the carry-over). In steady state, feeding a chunk
/// and reading its tokens allocates nothing per token and at most O(1) per chunk.
///
/// **End of input.** `feed` never decides that a document is complete when its last token could
/// still continue (a number such as `123`): `finalize()` does. It throws `unexpectedEndOfInput` at
/// the end offset for truncated input, and never leaves the reader waiting for more.
///
/// **Errors.** A `JSONParseError` carries the absolute offset, line, column, the JSON path and what
/// was expected. The same input gives the same tokens, then the same error at the same offset, however
/// it is chunked: `read` first returns the tokens before an error, and the next call throws it.
/// After an error the reader stays failed: every later `read` or `finalize` rethrows it.
/// Limits (`JSONLimits`) are enforced in bounded memory: a token or document is rejected at the
/// offset where it crosses its limit.
public struct JSONTokenReader: Sendable {
    /// The limits this reader enforces.
    public let limits: JSONLimits
    /// Whether the input may hold several top-level documents (concatenated, or separated by whitespace
    /// or newlines). Each document ends with `.endOfDocument`.
    public let allowsMultipleDocuments: Bool
    /// How bytes are scanned (`JSONScanPath.preferred` by default; see `JSONScanPath`).
    public let scanPath: JSONScanPath

    // Input window: `storage[0]` is the byte at absolute offset `storageBase`.
    var storage: [UInt8] = []
    var storageBase = 0
    /// Index in `storage` where scanning resumes; when a token is in progress, that token's first byte.
    var position = 0
    var isFinal = false
    var isFinished = false
    var failure: JSONParseError?

    // Grammar state.
    var expect = Expect.documentStart
    /// The innermost open container (meaningful when `depthCount > 0`), kept out of the array so the
    /// hot loop updates it with plain stores.
    var top = Level(isObject: false, index: 0)
    /// The open containers around `top`, outermost first.
    var enclosing: [Level] = []
    var depthCount = 0
    /// Absolute offset at which the current document would exceed `limits.maxDocumentSize`.
    var documentLimit = Int.max
    var documentCount = 0

    // The token in progress at the end of the window (`partial != .none`): it starts at `position`.
    var partial = Partial.none
    /// Absolute offset where scanning of the partial token resumes.
    var partialResume = 0
    /// For a string: it has an escape. For a number: the grammar state.
    var partialFlag = false
    var partialNumberState = NumberState.start

    // Line tracking: raw newlines can only occur in whitespace, which the scanner counts as it skips it.
    var newlineCount = 0
    var lastNewline = -1
    /// Raw (still escaped) bytes of open objects' keys whose bytes have left the window, by depth
    /// (for error paths).
    var savedKeys: [[UInt8]] = []

    /// Creates a reader.
    /// - Parameters:
    ///   - limits: depth, token and document size limits.
    ///   - allowsMultipleDocuments: accept zero or more top-level documents instead of exactly one.
    ///   - scanPath: `.preferred` (the SIMD path), the scalar path or the indexed path; all give the same tokens and
    ///     errors.
    public init(limits: JSONLimits = .default, allowsMultipleDocuments: Bool = false, scanPath: JSONScanPath = .preferred) {
        self.limits = limits
        self.allowsMultipleDocuments = allowsMultipleDocuments
        self.scanPath = scanPath
        enclosing.reserveCapacity(min(limits.maxDepth, 64))
    }

    /// Creates a reader whose input is `bytes`, adopted as its window without a copy (the array's storage is
    /// shared until a later `feed` writes to the window). For a whole document already in an array.
    public init(
        adopting bytes: [UInt8], limits: JSONLimits = .default, allowsMultipleDocuments: Bool = false,
        scanPath: JSONScanPath = .preferred
    ) {
        self.init(limits: limits, allowsMultipleDocuments: allowsMultipleDocuments, scanPath: scanPath)
        storage = bytes
    }

    /// The absolute stream offset of the next byte that `feed` will receive (the total bytes fed so far).
    public var bytesFed: Int { storageBase &+ storage.count }

    /// The nesting depth at the current read position (0 between documents).
    public var depth: Int { depthCount }

    /// The number of documents completed so far.
    public var documentsCompleted: Int { documentCount }

    /// Whether `finalize()` was called and every token has been read.
    public var isComplete: Bool { isFinished }

    /// Appends `chunk` to the input. Invalidates every span handed out before this call.
    ///
    /// Never throws: errors in the bytes surface from `read(into:)` or `finalize()`. Bytes fed but not
    /// yet read stay buffered. O(`chunk.count` + carry-over) for the copy; no allocation once the
    /// internal buffer has grown to the chunk size. Calling it after `finalize()` is a programmer error.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer) {
        precondition(!isFinal, "JSONTokenReader.feed called after finalize()")
        compact()
        storage.append(contentsOf: chunk)  // reuses the capacity once it has grown to a chunk
    }

    /// Appends `chunk` to the input; see `feed(_:)` for the contract.
    public mutating func feed(_ chunk: some Collection<UInt8>) {
        precondition(!isFinal, "JSONTokenReader.feed called after finalize()")
        compact()
        let done: Void? = chunk.withContiguousStorageIfAvailable { storage.append(contentsOf: $0) }
        if done == nil { storage.append(contentsOf: chunk) }
    }

    /// Scans buffered input and writes up to `buffer.count` tokens into `buffer`, returning how many.
    ///
    /// Every token before an error is delivered: a call that finds an error returns the tokens it wrote
    /// before it, and the next call throws. Returns 0 when no further token can be produced from the
    /// bytes fed so far: feed more, or
    /// call `finalize()` and read again to drain the last tokens (a number at the very end of the input
    /// is only complete then). Resumable: call it again to continue where it stopped.
    /// `buffer` must hold at least 2 tokens; the first `n` elements are initialized on return.
    /// O(bytes scanned); allocates nothing except when nesting grows past the deepest level seen.
    public mutating func read(into buffer: UnsafeMutableBufferPointer<JSONToken>) throws(JSONParseError) -> Int {
        precondition(buffer.count >= 2, "JSONTokenReader.read needs room for at least 2 tokens")
        if let failure { throw failure }
        if isFinished { return 0 }
        let bytes = storage
        var produced = 0
        let outcome = bytes.withUnsafeBufferPointer { window in
            Result { () throws(JSONParseError) in
                // `buffer.count >= 2`, so its base address is non-nil.
                // Each path gets its own specialized scan loop, so the default one tests no other path's flags.
                switch scanPath {
                case .scalar:
                    try scan(JSONScalarScan.self, window, into: buffer.baseAddress!, capacity: buffer.count, produced: &produced)
                case .simd:
                    try scan(JSONSIMDScan.self, window, into: buffer.baseAddress!, capacity: buffer.count, produced: &produced)
                case .indexed:
                    try scan(JSONIndexedScan.self, window, into: buffer.baseAddress!, capacity: buffer.count, produced: &produced)
                }
            }
        }
        if case .failure(let error) = outcome {
            failure = error
            // Deliver the tokens before the error first; the next call throws it.
            if produced == 0 { throw error }
        }
        return produced
    }

    /// Declares the end of the input and checks it: throws if the input ends inside a value, or if it
    /// holds no document where exactly one is required.
    ///
    /// Never waits for more input. Tokens not yet read (including a number that ends at the very end
    /// of the input, and the last `.endOfDocument`) remain available to `read(into:)`. Calling it
    /// again is harmless. O(unread bytes): unread input is validated before this returns.
    public mutating func finalize() throws(JSONParseError) {
        if let failure { throw failure }
        if isFinal { return }
        isFinal = true
        var probe = self
        var outcome: JSONParseError?
        withUnsafeTemporaryAllocation(of: JSONToken.self, capacity: StackScratch.capacity(of: JSONToken.self)) {
            scratch in
            do throws(JSONParseError) {
                while try probe.read(into: scratch) > 0 {}
            } catch {
                outcome = error
            }
        }
        if let outcome {
            failure = outcome
            throw outcome
        }
    }

    /// Appends `chunk` and every token it completes to `tokens`. Spans from earlier calls become invalid.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, into tokens: inout [JSONToken]) throws(JSONParseError) {
        feed(chunk)
        try drain(into: &tokens)
    }

    /// Appends `chunk` and every token it completes to `tokens`. Spans from earlier calls become invalid.
    public mutating func feed(_ chunk: some Collection<UInt8>, into tokens: inout [JSONToken]) throws(JSONParseError) {
        feed(chunk)
        try drain(into: &tokens)
    }

    /// Ends the input (see `finalize()`) and appends the remaining tokens to `tokens`.
    public mutating func finalize(into tokens: inout [JSONToken]) throws(JSONParseError) {
        try drain(into: &tokens)
        try finalize()
        try drain(into: &tokens)
    }

    /// Reads every token available now and appends them to `tokens`.
    public mutating func drain(into tokens: inout [JSONToken]) throws(JSONParseError) {
        var outcome: JSONParseError?
        withUnsafeTemporaryAllocation(of: JSONToken.self, capacity: StackScratch.capacity(of: JSONToken.self)) {
            scratch in
            do throws(JSONParseError) {
                while true {
                    let count = try read(into: scratch)
                    if count == 0 { break }
                    tokens.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<count]))
                }
            } catch {
                outcome = error
            }
        }
        if let outcome { throw outcome }
    }

    /// Drops the bytes before `position` from the window, keeping what line/column/path reporting needs.
    ///
    /// Only when the dead prefix is at least as long as the bytes kept: a token that spans many chunks
    /// is then not moved on every feed, so every byte is moved O(1) times (amortized) and the window
    /// stays under twice the live bytes plus one chunk.
    mutating func compact() {
        guard position > 0, position >= storage.count &- position else { return }
        let dropped = position
        saveKeys(before: storageBase &+ dropped)
        let kept = storage.count &- dropped
        if kept > 0 {
            storage.withUnsafeMutableBufferPointer { window in
                // Both ranges lie inside the non-empty window.
                let base = window.baseAddress!
                base.update(from: base + dropped, count: kept)
            }
        }
        storage.removeLast(dropped)  // keeps the capacity
        storageBase &+= dropped
        position = 0
    }
}

extension JSONTokenReader {
    /// What the grammar allows next.
    enum Expect: UInt8, Sendable {
        case documentStart
        case value
        case valueOrEndArray
        case keyOrEndObject
        case key
        case colon
        case commaOrEndArray
        case commaOrEndObject
        case afterDocument

        var allowsValue: Bool { rawValue <= Expect.valueOrEndArray.rawValue }
    }

    /// The token that was cut by the end of the window.
    enum Partial: UInt8, Sendable {
        case none
        case string
        case key
        case number
    }

    /// The states of the number grammar (RFC 8259 section 6).
    enum NumberState: UInt8, Sendable {
        case start, minus, zero, integer, dot, fraction, exponentMark, exponentSign, exponent

        var isComplete: Bool { self == .zero || self == .integer || self == .fraction || self == .exponent }
    }

    /// One open array or object, with what the error path needs.
    struct Level: Sendable {
        var isObject: Bool
        /// Arrays: the index of the current element. Objects: whether a key has been seen.
        var index: Int
        var keyOffset = 0
        var keyLength = 0
        var keyIsEscaped = false
        /// Equals `keyOffset` when `savedKeys[depth]` holds this key (its bytes have left the window).
        var savedKeyOffset = -1
    }
}
