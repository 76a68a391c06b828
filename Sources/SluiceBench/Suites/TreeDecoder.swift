import Foundation

/// The `Decoder` behind `StrictTreeDecoder`: decodes one node of a `JSONTree`.
struct TreeDecoder: Decoder {
    let tree: JSONTree
    let path: [any CodingKey]
    let tracker: KeyTracker
    let context: StrictTreeDecoder

    var codingPath: [any CodingKey] { path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = tree else {
            throw context.error("expected an object, found \(tree.shortDescription)", at: path)
        }
        return KeyedDecodingContainer(TreeKeyedContainer<Key>(members: members, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = tree else {
            throw context.error("expected an array, found \(tree.shortDescription)", at: path)
        }
        return TreeUnkeyedContainer(elements: elements, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { TreeSingleValueContainer(decoder: self) }

    func child(_ tree: JSONTree, key: any CodingKey) -> TreeDecoder {
        TreeDecoder(tree: tree, path: path + [key], tracker: tracker, context: context)
    }

    /// Decodes this node as `T`, with primitives checked here so that errors say what was expected and found.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let value = try decodePrimitive(type) { return value }
        if let enumeration = T.self as? any StrictStringEnumeration.Type {
            guard case .string(let raw) = tree else {
                throw context.error("expected a string, found \(tree.shortDescription)", at: path)
            }
            let accepted = enumeration.acceptedRawValues
            if !accepted.contains(raw) {
                throw context.error(
                    "unknown value \"\(raw)\", expected one of: \(accepted.joined(separator: ", "))", at: path)
            }
        }
        return try T(from: self)
    }

    private func mismatch(_ expected: String) -> HarnessError {
        context.error("expected \(expected), found \(tree.shortDescription)", at: path)
    }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        switch tree {
        case .integer(let value):
            guard let result = I(exactly: value) else { throw mismatch("an integer in \(I.min)...\(I.max)") }
            return result
        case .number(let value):
            guard let result = I(exactly: value) else { throw mismatch("an integer") }
            return result
        default:
            throw mismatch("an integer")
        }
    }

    private func decodePrimitive<T>(_ type: T.Type) throws -> T? {
        switch type {
        case is Bool.Type:
            guard case .bool(let value) = tree else { throw mismatch("a boolean") }
            return value as? T
        case is String.Type:
            guard case .string(let value) = tree else { throw mismatch("a string") }
            return value as? T
        case is Double.Type, is Float.Type:
            let number: Double
            switch tree {
            case .integer(let value): number = Double(value)
            case .number(let value): number = value
            default: throw mismatch("a number")
            }
            return (type == Float.self ? Float(number) as Any : number as Any) as? T
        case is Int.Type: return try integer(Int.self) as? T
        case is Int8.Type: return try integer(Int8.self) as? T
        case is Int16.Type: return try integer(Int16.self) as? T
        case is Int32.Type: return try integer(Int32.self) as? T
        case is Int64.Type: return try integer(Int64.self) as? T
        case is UInt.Type: return try integer(UInt.self) as? T
        case is UInt8.Type: return try integer(UInt8.self) as? T
        case is UInt16.Type: return try integer(UInt16.self) as? T
        case is UInt32.Type: return try integer(UInt32.self) as? T
        case is UInt64.Type: return try integer(UInt64.self) as? T
        default: return nil
        }
    }
}

struct TreeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONTree]
    let decoder: TreeDecoder

    var codingPath: [any CodingKey] { decoder.path }
    var allKeys: [Key] { members.keys.sorted().compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool {
        note(key, used: false)
        return members[key.stringValue] != nil
    }

    private func note(_ key: Key, used: Bool) {
        let path = StrictTreeDecoder.render(decoder.path)
        decoder.tracker.askedKeys[path, default: []].insert(key.stringValue)
        if used { decoder.tracker.usedKeys[path, default: []].insert(key.stringValue) }
    }

    private func node(_ key: Key) throws -> JSONTree {
        note(key, used: true)
        guard let value = members[key.stringValue] else {
            throw decoder.context.error("missing required field", at: decoder.path + [key])
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        note(key, used: true)
        return members[key.stringValue].map { $0 == .null } ?? true
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.child(try node(key), key: key).decodeValue(type)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(try node(key), key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(try node(key), key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { decoder.child(try node(key), key: key) }
}

struct TreeUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONTree]
    let decoder: TreeDecoder
    var currentIndex = 0

    init(elements: [JSONTree], decoder: TreeDecoder) {
        self.elements = elements
        self.decoder = decoder
    }

    var codingPath: [any CodingKey] { decoder.path }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> TreeDecoder {
        guard !isAtEnd else {
            throw decoder.context.error("array has too few elements", at: decoder.path)
        }
        defer { currentIndex += 1 }
        return decoder.child(elements[currentIndex], key: TreeCodingKey(intValue: currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}

struct TreeSingleValueContainer: SingleValueDecodingContainer {
    let decoder: TreeDecoder
    var codingPath: [any CodingKey] { decoder.path }
    func decodeNil() -> Bool { decoder.tree == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}
