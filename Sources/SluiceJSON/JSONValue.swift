/// A JSON value held in memory: what the materializers produce and the serializer writes.
///
/// Objects keep their members in document order, duplicates included, so that
/// parse → serialize → parse gives back an equal value.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The value of the first member named `key`, if this is an object that has one. O(n) in the member count.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The element at `index`, if this is an array that long.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}

/// One member of a JSON object: a key and its value.
public struct JSONMember: Hashable, Sendable {
    /// The member's name, unescaped.
    public var key: String
    /// The member's value.
    public var value: JSONValue

    /// Creates a member.
    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON number, kept as exactly as Swift can hold it.
///
/// Integers that fit in `Int64` stay integers. Other numbers are `Double`. Integers too large for
/// `Int64` keep their exact text so that nothing is rounded on a round trip.
public enum JSONNumber: Hashable, Sendable {
    case int(Int64)
    case double(Double)
    /// An integer outside the `Int64` range, as its exact source text.
    case bigInteger(String)

    /// The value as a `Double` (rounded for `bigInteger`).
    public var doubleValue: Double {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        case .bigInteger(let text): Double(text) ?? .nan
        }
    }

    /// The value as an `Int64`, if it is an integer in range.
    public var int64Value: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value): Int64(exactly: value)
        case .bigInteger: nil
        }
    }
}
