/// Builds `JSONValue`s from the tokens of a `JSONTokenReader`.
///
/// Feed it every token the reader emits, in order, together with that reader (spans are decoded
/// through it, so call it before the reader's next `feed`). At each `.endOfDocument` it yields the
/// finished document. Strings are unescaped, numbers become `JSONNumber` (`.int` for integers that fit
/// in `Int64`, `.bigInteger` for larger integers, else `.double`), and object members keep document order.
///
/// Memory: O(depth + size of the document being built). The work stacks are reused between documents.
public struct JSONTokenMaterializer: Sendable {
    private struct Frame: Sendable {
        var isObject: Bool
        var valueStart: Int
        var keyStart: Int
    }

    private var values: [JSONValue] = []
    private var keys: [String] = []
    private var frames: [Frame] = []

    /// Creates an empty materializer.
    public init() {}

    /// Whether a document has begun and not yet ended.
    public var isInsideDocument: Bool { !frames.isEmpty || !values.isEmpty }

    /// Consumes one token; returns the finished document when `token` is `.endOfDocument`.
    ///
    /// `reader` must be the reader that produced `token`, before its next `feed`. O(1) amortized,
    /// except a container's end, which is O(its element count).
    public mutating func consume(_ token: JSONToken, from reader: JSONTokenReader) -> JSONValue? {
        switch token {
        case .beginObject:
            frames.append(Frame(isObject: true, valueStart: values.count, keyStart: keys.count))
        case .beginArray:
            frames.append(Frame(isObject: false, valueStart: values.count, keyStart: keys.count))
        case .endObject, .endArray:
            closeContainer()
        case .key(let span):
            keys.append(reader.string(for: span))
        case .string(let span):
            values.append(.string(reader.string(for: span)))
        case .number(let span):
            values.append(.number(reader.number(for: span)))
        case .true:
            values.append(.bool(true))
        case .false:
            values.append(.bool(false))
        case .null:
            values.append(.null)
        case .endOfDocument:
            // A reader emits exactly one value per document; tolerate misuse without crashing.
            return values.popLast()
        }
        return nil
    }

    /// Consumes a batch of tokens from `reader`, calling `body` with each finished document.
    ///
    /// Same contract as `consume(_:from:)`; faster, because the reader's window is opened once per batch.
    /// O(tokens + bytes decoded).
    public mutating func consume<Failure: Error>(
        _ tokens: UnsafeBufferPointer<JSONToken>, from reader: JSONTokenReader,
        onDocument body: (JSONValue) throws(Failure) -> Void
    ) throws(Failure) {
        let base = reader.storageBase
        let window = reader.storage
        var finished: [JSONValue] = []
        window.withUnsafeBufferPointer { bytes in
            // Any span the reader emitted lies inside its window, so `bytes` is non-empty when one is read.
            func text(_ span: JSONSpan) -> String {
                let start = span.offset &- base
                precondition(start >= 0 && start &+ span.length <= bytes.count, "JSONSpan is no longer valid")
                guard span.length > 0 else { return "" }
                return JSONStringDecoder.decode(bytes.baseAddress! + start, count: span.length, escaped: span.flag)
            }
            for token in tokens {
                switch token {
                case .key(let span):
                    keys.append(text(span))
                case .string(let span):
                    values.append(.string(text(span)))
                case .number(let span):
                    let start = span.offset &- base
                    precondition(start >= 0 && start &+ span.length <= bytes.count, "JSONSpan is no longer valid")
                    let raw = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<(start &+ span.length)])
                    values.append(.number(JSONNumberParser.number(raw, isInteger: !span.flag)))
                case .endOfDocument:
                    if let document = values.popLast() { finished.append(document) }
                default:
                    _ = consume(token, from: reader)
                }
            }
        }
        for document in finished { try body(document) }
    }

    /// Discards any partly built document.
    public mutating func reset() {
        values.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        frames.removeAll(keepingCapacity: true)
    }

    private mutating func closeContainer() {
        guard let frame = frames.popLast() else { return }
        let start = min(frame.valueStart, values.count)
        if frame.isObject {
            let count = min(values.count &- start, keys.count &- frame.keyStart)
            var members: [JSONMember] = []
            members.reserveCapacity(count)
            for k in 0..<count {
                members.append(JSONMember(key: keys[frame.keyStart &+ k], value: values[start &+ k]))
            }
            keys.removeSubrange(frame.keyStart...)
            values.removeSubrange(start...)
            values.append(.object(members))
        } else {
            let elements = Array(values[start...])
            values.removeSubrange(start...)
            values.append(.array(elements))
        }
    }
}
