/// Reading the shapes of stream replies, with every wrong shape an error naming the command.
enum RedisStreamReplies {
    /// One stream entry: its ID and its field/value pairs (nil fields: the entry was deleted).
    struct Entry {
        var id: String
        var fields: [String: [UInt8]]?
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
                entries.append(Entry(id: id, fields: nil))
                continue
            }
            guard let flat = pair[1].elements, flat.count % 2 == 0 else {
                throw RedisError(code: .unexpectedReply, server: server, message: "\(command): entry \(id) has no field list")
            }
            var fields: [String: [UInt8]] = [:]
            var index = 0
            while index < flat.count {
                guard let name = flat[index].text, case .bulkString(let payload?) = flat[index + 1] else {
                    throw RedisError(code: .unexpectedReply, server: server, message: "\(command): entry \(id) has a field that is not a string")
                }
                fields[name] = payload
                index += 2
            }
            entries.append(Entry(id: id, fields: fields))
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
