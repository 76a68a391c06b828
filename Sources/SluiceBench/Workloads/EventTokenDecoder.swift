import SluiceJSON

/// One framed document: its position in the stream and its bytes.
struct FramedDocument: Sendable {
    var ordinal: Int
    var bytes: [UInt8]
}

/// The fields of one event the macro pipeline works on, read from the document's tokens.
struct EventRecord: Sendable {
    var ordinal: Int
    var key: String
    var type: String
    var value: Int64
}

/// The error a document without the fields an event needs raises (routed to the dead-letter sink).
struct MalformedEventError: Error, CustomStringConvertible {
    var ordinal: Int
    var description: String { "document \(ordinal) lacks key, type or payload.value" }
}

/// Reads events out of framed documents with one `JSONTokenReader` kept across documents, so its buffers are
/// reused: tokens go into a reused array and only the fields the pipeline needs are decoded (`key`, `type` and
/// `payload.value`), without materializing the rest of the document.
struct EventTokenDecoder: Sendable {
    private var reader = JSONTokenReader(allowsMultipleDocuments: true)
    private var tokens: [JSONToken] = []

    /// Tokenizes `document` strictly and extracts its event. O(document length).
    /// - Throws: the document's `JSONParseError`, or `MalformedEventError` when a field is missing.
    mutating func decode(_ document: FramedDocument) throws -> EventRecord {
        tokens.removeAll(keepingCapacity: true)
        try document.bytes.withUnsafeBytes { try reader.feed($0, into: &tokens) }
        enum Field { case key, type, payload, value, other }
        var depth = 0
        var field = Field.other
        var isInPayload = false
        var key: String?
        var type: String?
        var value: Int64?
        for token in tokens {
            switch token {
            case .beginObject, .beginArray:
                depth += 1
                if depth == 2 && field == .payload { isInPayload = true }
                field = .other
            case .endObject, .endArray:
                depth -= 1
                if depth < 2 { isInPayload = false }
            case .key(let span):
                if depth == 1 {
                    field =
                        reader.string(for: span, equals: "key")
                        ? .key
                        : reader.string(for: span, equals: "type")
                            ? .type : reader.string(for: span, equals: "payload") ? .payload : .other
                } else if depth == 2 && isInPayload {
                    field = reader.string(for: span, equals: "value") ? .value : .other
                } else {
                    field = .other
                }
            case .string(let span):
                if depth == 1 && field == .key { key = reader.string(for: span) }
                if depth == 1 && field == .type { type = reader.string(for: span) }
                field = .other
            case .number(let span):
                if depth == 2 && isInPayload && field == .value { value = reader.int64(for: span) }
                field = .other
            case .true, .false, .null, .endOfDocument:
                field = .other
            }
        }
        guard let key, let type, let value else { throw MalformedEventError(ordinal: document.ordinal) }
        return EventRecord(ordinal: document.ordinal, key: key, type: type, value: value)
    }
}
