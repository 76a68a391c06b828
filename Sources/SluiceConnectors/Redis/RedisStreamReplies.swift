/// Reading the shapes of stream replies, with every wrong shape an error naming the command.
enum RedisStreamReplies {
    /// One stream entry: its ID and its flat field/value list, every element a bulk string (nil: the entry was
    /// deleted).
    struct Entry {
        var id: String
        var flat: [RESPValue]?

        /// The value of field `name` (its UTF-8 bytes), if the entry has it. O(fields).
        func value(_ name: [UInt8]) -> [UInt8]? {
            guard let flat else { return nil }
            var index = 0
            while index + 1 < flat.count {
                if case .bulkString(let key?) = flat[index], key == name, case .bulkString(let value?) = flat[index + 1] {
                    return value
                }
                index += 2
            }
            return nil
        }

        /// Every field, in order.
        var fields: [(name: String, value: [UInt8])] {
            guard let flat else { return [] }
            return stride(from: 0, to: flat.count - 1, by: 2).compactMap { index in
                guard case .bulkString(let value?) = flat[index + 1], let name = flat[index].text else { return nil }
                return (name, value)
            }
        }
    }

    /// A flat `[name, value, name, value…]` reply as a dictionary.
    static func fields(_ value: RESPValue) -> [String: RESPValue] {
        guard let elements = value.elements else { return [:] }
        var result: [String: RESPValue] = [:]
        var index = 0
        while index + 1 < elements.count {
            if let name = elements[index].text { result[name] = elements[index + 1] }
            index += 2
        }
        return result
    }

    /// `[[id, [field, value, …]], …]`: the entries of one stream.
    static func entries(_ value: RESPValue, command: String, server: String) throws(RedisError) -> [Entry] {
        guard let list = value.elements else {
            if value.isNull { return [] }
            throw RedisError(code: .unexpectedReply, server: server, message: "\(command): expected an array of entries, got \(value)")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(list.count)
        for item in list {
            guard let pair = item.elements, pair.count == 2, let id = pair[0].text else {
                throw RedisError(code: .unexpectedReply, server: server, message: "\(command): expected [id, fields], got \(item)")
            }
            if pair[1].isNull {
                entries.append(Entry(id: id, flat: nil))
                continue
            }
            guard let flat = pair[1].elements, flat.count % 2 == 0 else {
                throw RedisError(code: .unexpectedReply, server: server, message: "\(command): entry \(id) has no field list")
            }
            for element in flat {
                guard case .bulkString(_?) = element else {
                    throw RedisError(code: .unexpectedReply, server: server, message: "\(command): entry \(id) has a field that is not a string")
                }
            }
            entries.append(Entry(id: id, flat: flat))
        }
        return entries
    }

    /// `XREADGROUP` reply: `[[stream, entries], …]` or null (nothing within the block time).
    static func streams(_ value: RESPValue, server: String) throws(RedisError) -> [(stream: String, entries: [Entry])] {
        if value.isNull { return [] }
        guard let list = value.elements else {
            throw RedisError(code: .unexpectedReply, server: server, message: "XREADGROUP: expected an array of streams, got \(value)")
        }
        var result: [(String, [Entry])] = []
        for item in list {
            guard let pair = item.elements, pair.count == 2, let name = pair[0].text else {
                throw RedisError(code: .unexpectedReply, server: server, message: "XREADGROUP: expected [stream, entries], got \(item)")
            }
            result.append((name, try entries(pair[1], command: "XREADGROUP \(name)", server: server)))
        }
        return result
    }
}
