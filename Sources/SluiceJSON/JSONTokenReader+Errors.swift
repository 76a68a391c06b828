// Error construction: line, column and JSON path are computed only when an error is thrown.

extension JSONTokenReader {
    /// Builds an error at window index `index`, with line, column and the path of the open containers.
    func makeError(
        _ code: JSONParseError.Code, _ message: String, at index: Int, _ p: UnsafePointer<UInt8>
    ) -> JSONParseError {
        let offset = storageBase &+ index
        // Every newline before the offending byte is in whitespace the scanner has already skipped.
        return JSONParseError(
            code: code, message: message, offset: offset, line: newlineCount &+ 1, column: offset &- lastNewline,
            path: path(p))
    }

    /// The JSON path of the value being read, such as `$.statuses[3].user`.
    /// O(depth + key lengths).
    func path(_ p: UnsafePointer<UInt8>) -> String {
        var text = "$"
        for depth in 0..<depthCount {
            let level = self.level(at: depth)
            if !level.isObject {
                text += "[\(level.index)]"
            } else if level.index == 1 {
                text += JSONPathFormatter.member(key(at: depth, p))
            }
        }
        return text
    }

    /// The open container at `depth` (0 is the outermost).
    func level(at depth: Int) -> Level {
        depth == depthCount &- 1 ? top : enclosing[depth]
    }

    /// The current key of the object at `depth`: from the window, or saved when its bytes left it.
    func key(at depth: Int, _ p: UnsafePointer<UInt8>) -> String {
        let level = self.level(at: depth)
        if level.savedKeyOffset == level.keyOffset && depth < savedKeys.count {
            return savedKeys[depth].withUnsafeBufferPointer { saved in
                guard let base = saved.baseAddress, saved.count > 0 else { return "" }
                return JSONStringDecoder.decode(base, count: saved.count, escaped: level.keyIsEscaped)
            }
        }
        let index = level.keyOffset &- storageBase
        precondition(index >= 0, "an open key left the window without being saved")
        return JSONStringDecoder.decode(p + index, count: level.keyLength, escaped: level.keyIsEscaped)
    }

    /// Before dropping window bytes below absolute offset `limit`, saves the raw bytes of the open keys
    /// that live there. O(depth + saved bytes); each depth's slot reuses its capacity, so in steady
    /// state this allocates nothing.
    mutating func saveKeys(before limit: Int) {
        for depth in 0..<depthCount {
            let level = self.level(at: depth)
            guard level.isObject, level.index == 1, level.keyOffset < limit,
                level.savedKeyOffset != level.keyOffset
            else { continue }
            while savedKeys.count <= depth { savedKeys.append([]) }
            // The key is inside the window: it was scanned there and has not been dropped yet.
            let start = level.keyOffset &- storageBase
            savedKeys[depth].removeAll(keepingCapacity: true)
            savedKeys[depth].append(contentsOf: storage[start..<(start &+ level.keyLength)])
            if depth == depthCount &- 1 {
                top.savedKeyOffset = level.keyOffset
            } else {
                enclosing[depth].savedKeyOffset = level.keyOffset
            }
        }
    }
}

/// Formats one step of a JSON path.
enum JSONPathFormatter {
    /// `.name` for identifier-like keys, else `["..."]` with JSON escaping.
    static func member(_ key: String) -> String {
        let isIdentifier =
            !key.isEmpty
            && key.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x5F
            } && !(key.utf8.first! >= 0x30 && key.utf8.first! <= 0x39)  // non-empty, checked above
        if isIdentifier { return ".\(key)" }
        var quoted = "[\""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case _ where scalar.value < 0x20: quoted += "\\u00\(scalar.value < 0x10 ? "0" : "")\(String(scalar.value, radix: 16))"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\"]"
    }
}
