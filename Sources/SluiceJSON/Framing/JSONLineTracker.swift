/// Counts lines as a stream goes by, so that an error or a frame can name its line and column.
///
/// It keeps three numbers, not the bytes: how far it has counted, how many newlines it saw, and where
/// the last one was. Counting only moves forward, so a chunk is counted once however many offsets in
/// it are located (O(n) per chunk in all, vectorised).
struct JSONLineTracker: Sendable {
    /// Absolute offset up to which newlines are counted.
    private(set) var position = 0
    /// Newlines (`\n`) before `position`.
    private(set) var newlineCount = 0
    /// Absolute offset of the first byte of the line that `position` is on.
    private(set) var lineStart = 0

    /// Starts counting at absolute `offset`, as if it were the start of line 1.
    init(startingAt offset: Int = 0) {
        position = offset
        lineStart = offset
    }

    /// Counts the newlines from `position` up to absolute `offset`, which lies in `chunk` (whose first
    /// byte is at absolute `base`) or just past its end. O(offset - position).
    mutating func advance(to offset: Int, in chunk: UnsafeRawBufferPointer, base: Int) {
        guard offset > position, let pointer = chunk.baseAddress else { return }
        var index = position - base
        let end = offset - base
        precondition(index >= 0 && end <= chunk.count, "line tracker out of step with the stream")
        while end - index >= 64 {
            let mask = JSONByteClasses.mask(pointer + index, equalTo: UInt8(ascii: "\n"))
            if mask != 0 {
                newlineCount += mask.nonzeroBitCount
                lineStart = base + index + (63 - mask.leadingZeroBitCount) + 1
            }
            index += 64
        }
        while index < end {
            if pointer.load(fromByteOffset: index, as: UInt8.self) == UInt8(ascii: "\n") {
                newlineCount += 1
                lineStart = base + index + 1
            }
            index += 1
        }
        position = offset
    }

    /// Moves `position` to absolute `offset` over bytes counted elsewhere: they hold `newlines` newlines, the
    /// last at absolute `lastNewline` (ignored when there are none). For a document that a parser read while
    /// framing, so that its bytes are not read again for their lines.
    mutating func skip(to offset: Int, newlines: Int, lastNewline: Int) {
        precondition(offset >= position, "line tracker moved backwards")
        if newlines > 0 {
            newlineCount += newlines
            lineStart = lastNewline + 1
        }
        position = offset
    }

    /// The 1-based line and column (in bytes) of `offset`, counting on from `position` in `chunk`.
    /// Does not move this tracker. O(offset - position).
    func location(of offset: Int, in chunk: UnsafeRawBufferPointer, base: Int) -> (line: Int, column: Int) {
        var copy = self
        copy.advance(to: offset, in: chunk, base: base)
        return copy.location
    }

    /// The 1-based line and column of `position`.
    var location: (line: Int, column: Int) { (newlineCount + 1, position - lineStart + 1) }

    /// `error` with the line and column of its offset, which lies in `chunk` at or after `position`.
    func located(_ error: JSONParseError, in chunk: UnsafeRawBufferPointer, base: Int) -> JSONParseError {
        var error = error
        (error.line, error.column) = location(of: error.offset, in: chunk, base: base)
        return error
    }
}
