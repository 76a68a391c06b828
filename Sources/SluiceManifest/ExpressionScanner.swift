import SluiceJSON

/// Reads field paths and predicates character by character, tracking the offset for errors.
struct ExpressionScanner {
    private let characters: [Character]
    private(set) var offset = 0

    init(_ text: String) {
        characters = Array(text)
    }

    var isAtEnd: Bool { offset >= characters.count }
    var rest: String { String(characters[min(offset, characters.count)...]) }
    var current: Character? { isAtEnd ? nil : characters[offset] }

    mutating func skipSpaces() {
        while let character = current, character.isWhitespace { offset += 1 }
    }

    /// Consumes `token` (after spaces) if it is next.
    mutating func take(_ token: String) -> Bool {
        skipSpaces()
        let tokenCharacters = Array(token)
        guard offset + tokenCharacters.count <= characters.count,
            Array(characters[offset..<offset + tokenCharacters.count]) == tokenCharacters
        else { return false }
        // A word operator must not be the start of a longer name (`order` is not `or` + `der`).
        if let last = tokenCharacters.last, last.isLetter, offset + tokenCharacters.count < characters.count,
            Self.isNameCharacter(characters[offset + tokenCharacters.count])
        {
            return false
        }
        offset += tokenCharacters.count
        return true
    }

    static func isNameCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_" || character == "-"
    }

    /// A path: `$`? then `.name`, `[n]` or `["name"]` steps; a bare `name` first step is allowed.
    mutating func path() throws(FieldPathError) -> FieldPath {
        skipSpaces()
        let start = offset
        if current == "$" { offset += 1 }
        var steps: [FieldPath.Step] = []
        var first = true
        while let character = current {
            if character == "." {
                offset += 1
                if current == "[" { continue }
                let name = self.name()
                if name.isEmpty {
                    if steps.isEmpty && (isAtEnd || current?.isWhitespace == true || current == ")") { break }
                    throw FieldPathError(offset: offset, message: "expected a field name after '.'")
                }
                steps.append(.member(name))
            } else if character == "[" {
                offset += 1
                if current == "\"" {
                    steps.append(.member(try quoted()))
                } else {
                    let digits = self.name()
                    guard let index = Int(digits), index >= 0 else {
                        throw FieldPathError(offset: offset, message: "expected an index or a quoted name inside [ ]")
                    }
                    steps.append(.index(index))
                }
                guard current == "]" else { throw FieldPathError(offset: offset, message: "expected ']'") }
                offset += 1
            } else if first && Self.isNameCharacter(character) && !character.isNumber && character != "-" {
                steps.append(.member(name()))
            } else {
                break
            }
            first = false
        }
        if offset == start {
            throw FieldPathError(offset: offset, message: "expected a field path such as .service or .payload.value")
        }
        return FieldPath(steps)
    }

    mutating func name() -> String {
        var name = ""
        while let character = current, Self.isNameCharacter(character) {
            name.append(character)
            offset += 1
        }
        return name
    }

    /// A double- or single-quoted string with JSON's escapes (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`,
    /// `\uXXXX` with surrogate pairs, as jq reads them); any other escaped character stands for itself (`\'`).
    /// The quote is current.
    mutating func quoted() throws(FieldPathError) -> String {
        guard let quote = current else { throw FieldPathError(offset: offset, message: "expected a string") }
        let start = offset
        offset += 1
        var text = ""
        while let character = current {
            offset += 1
            if character == quote { return text }
            if character == "\\" {
                guard let escaped = current else { break }
                offset += 1
                switch escaped {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                case "b": text.append("\u{08}")
                case "f": text.append("\u{0C}")
                case "u": text.unicodeScalars.append(try unicodeEscape(at: offset - 2))
                default: text.append(escaped)
                }
            } else {
                text.append(character)
            }
        }
        throw FieldPathError(offset: start, message: "unterminated string")
    }

    /// The scalar of a `\uXXXX` escape whose backslash is at `escapeOffset` (the four digits are current), and of
    /// the low surrogate's escape after a high one.
    private mutating func unicodeEscape(at escapeOffset: Int) throws(FieldPathError) -> Unicode.Scalar {
        let high = try hexQuad(escapeOffset)
        if (0xD800...0xDBFF).contains(high) {
            guard current == "\\", offset + 1 < characters.count, characters[offset + 1] == "u" else {
                throw FieldPathError(offset: escapeOffset, message: "a high surrogate \\u escape needs a low one after it")
            }
            offset += 2
            let low = try hexQuad(offset - 2)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw FieldPathError(offset: escapeOffset, message: "a high surrogate \\u escape needs a low one after it")
            }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
        }
        guard let scalar = Unicode.Scalar(high) else {
            throw FieldPathError(offset: escapeOffset, message: "a lone low surrogate \\u escape")
        }
        return scalar
    }

    /// Four hex digits (current), as a number.
    private mutating func hexQuad(_ escapeOffset: Int) throws(FieldPathError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = current?.hexDigitValue else {
                throw FieldPathError(offset: escapeOffset, message: "\\u needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    /// A JSON number literal.
    mutating func number() -> JSONNumber? {
        let start = offset
        var text = ""
        while let character = current, character.isNumber || "+-.eE".contains(character) {
            text.append(character)
            offset += 1
        }
        if let value = Int64(text) { return .int(value) }
        if let value = Double(text), value.isFinite { return .double(value) }
        offset = start
        return nil
    }
}
