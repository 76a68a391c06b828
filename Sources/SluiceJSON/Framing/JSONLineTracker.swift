/// Counts lines as a stream goes by, so that an error anywhere can name its line and column.
///
/// It keeps two numbers, not the bytes: how many newlines came before the current chunk and where
/// the last of them was. Locating an offset inside the current chunk counts the newlines before it.
struct JSONLineTracker: Sendable {
    /// Newlines (`\n`) in all bytes before the current chunk.
    private(set) var newlineCount = 0
    /// Absolute offset of the first byte of the current line.
    private(set) var lineStart = 0

    /// Accounts for a whole chunk that started at absolute offset `base`. O(n), vectorised.
    mutating func advance(over chunk: UnsafeRawBufferPointer, base: Int) {
        advance(over: chunk, upTo: chunk.count, base: base)
    }

    /// Accounts for the first `end` bytes of a chunk that started at absolute offset `base`. O(end).
    mutating func advance(over chunk: UnsafeRawBufferPointer, upTo end: Int, base: Int) {
        guard let pointer = chunk.baseAddress, end > 0 else { return }
        var index = 0
        while end - index >= 64 {
            var mask = JSONByteClasses.mask(pointer + index, equalTo: UInt8(ascii: "\n"))
            if mask != 0 {
                newlineCount += mask.nonzeroBitCount
                lineStart = base + index + (63 - mask.leadingZeroBitCount) + 1
                mask = 0
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
    }

    /// The 1-based line and column (in bytes) of `offset`, which lies in `chunk` (starting at `base`)
    /// or just past its end. O(offset - base).
    func location(of offset: Int, in chunk: UnsafeRawBufferPointer, base: Int) -> (line: Int, column: Int) {
        var copy = self
        copy.advance(over: chunk, upTo: min(max(offset - base, 0), chunk.count), base: base)
        return (copy.newlineCount + 1, offset - copy.lineStart + 1)
    }

    /// `error` with the line and column of its offset, which lies in `chunk` (starting at `base`).
    func located(_ error: JSONParseError, in chunk: UnsafeRawBufferPointer, base: Int) -> JSONParseError {
        var error = error
        (error.line, error.column) = location(of: error.offset, in: chunk, base: base)
        return error
    }

    /// The 1-based line and column of an offset at or after `lineStart`, with no newline in between.
    func location(ofOffsetOnCurrentLine offset: Int) -> (line: Int, column: Int) {
        (newlineCount + 1, offset - lineStart + 1)
    }
}
