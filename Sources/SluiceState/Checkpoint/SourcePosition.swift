/// Where a replayable source stands: the sequence number and byte offset of the next record to read.
public struct SourcePosition: Hashable, Sendable, CustomStringConvertible {
    /// The source's name, unique within a pipeline.
    public var source: String
    /// The sequence number the next record will carry (records are numbered from 0).
    public var nextSequence: UInt64
    /// The byte offset of the next record in the source's input.
    public var byteOffset: UInt64

    /// Creates a position.
    public init(source: String, nextSequence: UInt64, byteOffset: UInt64) {
        self.source = source
        self.nextSequence = nextSequence
        self.byteOffset = byteOffset
    }

    /// `name@sequence(+byte offset)`.
    public var description: String { "\(source)@\(nextSequence)(+\(byteOffset))" }
}
