import SluiceJSON

/// One document flowing through a manifest pipeline: its value, its key once a `key` stage has run, and where
/// it started in the input (for dead-letter records).
public struct ManifestRecord: Sendable, Hashable {
    /// The document (or what the stages so far made of it).
    public var value: JSONValue
    /// The key set by a `key` stage; nil before one.
    public var key: JSONValue?
    /// Absolute byte offset of the document in the source.
    public var offset: Int
    /// Absolute byte offset just past the document: where a resumed run reads on from.
    public var end: Int

    /// Creates a record.
    public init(value: JSONValue, key: JSONValue? = nil, offset: Int, end: Int) {
        self.value = value
        self.key = key
        self.offset = offset
        self.end = end
    }
}

/// A document a stage could not handle: routed to the dead-letter sink with this error.
public struct RecordError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stage's name.
    public var stage: String
    /// The document's byte offset in the source.
    public var offset: Int
    /// What went wrong, naming the field.
    public var message: String

    /// `stage 'NAME': document at byte OFFSET: MESSAGE`.
    public var description: String { "stage '\(stage)': document at byte \(offset): \(message)" }
}
