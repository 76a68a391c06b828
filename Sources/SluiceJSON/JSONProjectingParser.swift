#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The members of an object document a caller needs: a tree of member names. A member whose selection is
/// `isWhole` keeps its whole value; a member with nested members keeps only those (when its value is an object).
public struct JSONFieldSelection: Sendable, Hashable {
    /// One selected member.
    public struct Member: Sendable, Hashable {
        /// The member's name (unescaped).
        public var name: String
        /// What to keep of its value.
        public var selection: JSONFieldSelection

        /// Creates a selected member.
        public init(name: String, selection: JSONFieldSelection) {
            self.name = name
            self.selection = selection
        }
    }

    /// The selected members, in the order the selection was built.
    public var members: [Member]
    /// Keep the whole value (the members are then ignored).
    public var isWhole: Bool

    /// Creates a selection.
    public init(members: [Member] = [], isWhole: Bool = false) {
        self.members = members
        self.isWhole = isWhole
    }

    /// The selection that keeps a whole value.
    public static let whole = JSONFieldSelection(isWhole: true)

    /// The projection `parser` computes, applied to an already parsed value: the oracle of
    /// `JSONProjectingParser`. An object keeps the first member of each selected name, in document order.
    public func project(_ value: JSONValue) -> JSONValue {
        guard !isWhole, case .object(let members) = value else { return value }
        var kept: [JSONMember] = []
        var seen = Set<String>()
        for member in members {
            guard !seen.contains(member.key), let selected = self.members.first(where: { $0.name == member.key }) else {
                continue
            }
            seen.insert(member.key)
            kept.append(JSONMember(key: member.key, value: selected.selection.project(member.value)))
        }
        return .object(kept)
    }
}

/// Parses one whole JSON document held in memory, validating every byte strictly (RFC 8259, UTF-8, the same
/// grammar as `JSONTokenReader`), but materializing only the members a `JSONFieldSelection` names: projection
/// pushdown in one pass over the bytes, with no token buffer and no copy of the document.
///
/// It answers only for documents it is sure of. `parse(_:)` returns nil when the document is not valid, is not an
/// object (unless the selection is whole), nests deeper than `limits.maxDepth - 1`, is at least as large as a
/// limit, or selects more than 64 members in one object; the caller then parses it with `JSONDocumentParser`,
/// which reports the error with its position (or returns the whole value). A document it accepts is one the
/// token reader accepts, and the value is `selection.project(JSONDocumentParser.parse(bytes))`; the tests hold
/// it to both on the conformance suite and on mutated random documents.
///
/// Allocation: the returned value's storage only (member arrays, strings longer than 15 bytes). O(bytes).
public struct JSONProjectingParser: Sendable {
    /// A selection flattened for the hot loop: names as bytes, children by index.
    struct Node: Sendable {
        var isWhole: Bool
        var names: [[UInt8]]
        var nameStrings: [String]
        var children: [Node]

        init(_ selection: JSONFieldSelection) {
            isWhole = selection.isWhole
            names = selection.members.map { Array($0.name.utf8) }
            nameStrings = selection.members.map(\.name)
            children = selection.members.map { Node($0.selection) }
        }
    }

    /// The selection parsed for.
    public let selection: JSONFieldSelection
    /// The limits documents are held to (documents near them are left to the full parser).
    public let limits: JSONLimits
    let root: Node

    /// Creates a parser for `selection`.
    public init(selection: JSONFieldSelection, limits: JSONLimits = .default) {
        self.selection = selection
        self.limits = limits
        root = Node(selection)
    }

    /// The selected members of the document in `bytes` (surrounding whitespace allowed), or nil when the caller
    /// must parse it in full (see the type's summary).
    public func parse(_ bytes: UnsafeRawBufferPointer) -> JSONValue? {
        parse(bytes, keyTable: nil)
    }

    /// `parse(_:)`, taking the `String`s of short repeated keys from `keys` and recording new ones there.
    public func parse(_ bytes: UnsafeRawBufferPointer, keys: inout JSONKeyCache) -> JSONValue? {
        keys.slots.withUnsafeMutableBufferPointer { slots in
            parse(bytes, keyTable: JSONKeyTable(slots: slots.baseAddress!))  // 64 slots: never empty
        }
    }

    func parse(_ bytes: UnsafeRawBufferPointer, keyTable: JSONKeyTable?) -> JSONValue? {
        guard bytes.count > 0, bytes.count < limits.maxTokenLength, bytes.count < limits.maxDocumentSize else {
            return nil
        }
        return withCursor(bytes, keyTable: keyTable, lines: UncountedLines.self) { cursor in cursor.document(root) }
    }

    /// What `parsePrefix(_:keys:)` found: the document's value, its length, and the newlines in it.
    public struct Prefix: Sendable {
        /// The whole value of the document.
        public var value: JSONValue
        /// The document's length in bytes (it starts at the buffer's first byte).
        public var length: Int
        /// The number of newlines in the document (all in whitespace between its tokens).
        public var newlines: Int
        /// The index of the last of them in the buffer (-1 when there is none).
        public var lastNewline: Int
    }

    /// The whole value of the object, array or string that starts at the first byte of `bytes`, read only as far as
    /// its closing byte: nothing after it is looked at, so a framer can take its end from here instead of scanning
    /// the document itself. nil when the buffer does not start with `{`, `[` or `"`, when the document is invalid,
    /// does not end inside `bytes`, nests deeper than `limits.maxDepth - 1` or is at least as long as a limit: the
    /// caller then frames and parses it the long way, which reports the error. Short keys' `String`s come from
    /// `keys`, as in `parse(_:keys:)`. Needs `selection == .whole`.
    public func parsePrefix(_ bytes: UnsafeRawBufferPointer, keys: inout JSONKeyCache) -> Prefix? {
        precondition(root.isWhole, "parsePrefix reads whole documents")
        guard let first = bytes.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == UInt8(ascii: "\"")
        else { return nil }
        let limits = limits
        return keys.slots.withUnsafeMutableBufferPointer { slots in
            // 64 slots: never empty.
            withCursor(bytes, keyTable: JSONKeyTable(slots: slots.baseAddress!), lines: CountedLines.self) {
                cursor -> Prefix? in
                guard let value = cursor.value(depth: 0), cursor.i < limits.maxTokenLength,
                    cursor.i < limits.maxDocumentSize
                else { return nil }
                return Prefix(value: value, length: cursor.i, newlines: cursor.lines.count, lastNewline: cursor.lines.last)
            }
        }
    }

    /// Runs `body` with a cursor at the start of `bytes` (not empty) whose stacks start in scratch space.
    private func withCursor<Result, Lines: CursorLines>(
        _ bytes: UnsafeRawBufferPointer, keyTable: JSONKeyTable?, lines: Lines.Type, _ body: (inout Cursor<Lines>) -> Result?
    ) -> Result? {
        guard let base = bytes.baseAddress else { return nil }
        // The stacks start in scratch space on the thread's stack and move to the heap only for documents with
        // more open members or elements than that: small documents cost no allocation beyond their value.
        return withUnsafeTemporaryAllocation(
            of: JSONMember.self, capacity: StackScratch.capacity(of: JSONMember.self)
        ) { memberScratch in
            withUnsafeTemporaryAllocation(of: JSONValue.self, capacity: StackScratch.capacity(of: JSONValue.self)) {
                elementScratch in
                var cursor = Cursor<Lines>(
                    p: base.assumingMemoryBound(to: UInt8.self), n: bytes.count, maxDepth: limits.maxDepth - 1,
                    members: MoveStack(scratch: memberScratch), elements: MoveStack(scratch: elementScratch),
                    keyTable: keyTable)
                defer { cursor.releaseStacks() }
                return body(&cursor)
            }
        }
    }
}

/// How a cursor counts the newlines it skips: not at all for a whole document (the loop then has no newline test),
/// or into a count and the last one's index for a document read while it is framed.
private protocol CursorLines {
    init()
    mutating func newline(at index: Int)
}

private struct UncountedLines: CursorLines {
    @inline(__always) mutating func newline(at index: Int) {}
}

private struct CountedLines: CursorLines {
    var count = 0
    var last = -1
    @inline(__always) mutating func newline(at index: Int) {
        count &+= 1
        last = index
    }
}

/// The position in one document and the recursive-descent rules. Every rule returns nil or false on invalid
/// input, leaving `i` anywhere.
private struct Cursor<Lines: CursorLines> {
    let p: UnsafePointer<UInt8>
    let n: Int
    /// The deepest container nesting answered here.
    let maxDepth: Int
    var i = 0
    /// The newlines skipped so far (in a valid document every raw newline is whitespace, so these are all of them).
    var lines = Lines()
    /// The members of the objects being built, innermost last (see `value(depth:)`).
    var members: MoveStack<JSONMember>
    /// The elements of the arrays being built, innermost last.
    var elements: MoveStack<JSONValue>
    /// Where short keys' `String`s are looked up and recorded (nil: every key is decoded).
    let keyTable: JSONKeyTable?

    init(
        p: UnsafePointer<UInt8>, n: Int, maxDepth: Int, members: MoveStack<JSONMember>, elements: MoveStack<JSONValue>,
        keyTable: JSONKeyTable?
    ) {
        self.keyTable = keyTable
        self.p = p
        self.n = n
        self.maxDepth = maxDepth
        self.members = members
        self.elements = elements
    }

    /// The whole document: the value `root` selects, then nothing but whitespace.
    mutating func document(_ root: JSONProjectingParser.Node) -> JSONValue? {
        skipWhitespace()
        guard i < n else { return nil }
        let value: JSONValue?
        if root.isWhole {
            value = self.value(depth: 0)
        } else if p[i] == UInt8(ascii: "{") {
            value = object(root, depth: 0)
        } else {
            return nil
        }
        guard let value else { return nil }
        skipWhitespace()
        return i == n ? value : nil
    }

    /// Destroys what an invalid document left on the stacks and frees their heap storage, if any.
    mutating func releaseStacks() {
        members.release()
        elements.release()
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < n {
            let c = p[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            if c == 0x0A { lines.newline(at: i) }
            i &+= 1
        }
    }

    /// After whitespace: `byte` is next, and is consumed.
    @inline(__always)
    mutating func expect(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard i < n, p[i] == byte else { return false }
        i &+= 1
        return true
    }

    // MARK: Selected objects

    /// The object at `i` (its `{`) with only `node`'s members.
    mutating func object(_ node: JSONProjectingParser.Node, depth: Int) -> JSONValue? {
        guard depth < maxDepth, node.names.count <= 64 else { return nil }
        i &+= 1
        var members: [JSONMember] = []
        skipWhitespace()
        guard i < n else { return nil }
        if p[i] == UInt8(ascii: "}") {
            i &+= 1
            return .object(members)
        }
        var found: UInt64 = 0
        while true {
            guard i < n, p[i] == UInt8(ascii: "\"") else { return nil }
            let keyStart = i &+ 1
            i = keyStart
            guard let (keyEnd, escaped) = string() else { return nil }
            guard expect(UInt8(ascii: ":")) else { return nil }
            skipWhitespace()
            guard i < n else { return nil }
            var position = -1
            for index in node.names.indices where found & (1 &<< UInt64(index)) == 0 {
                if key(from: keyStart, to: keyEnd, escaped: escaped, is: node.names[index], node.nameStrings[index]) {
                    position = index
                    break
                }
            }
            if position >= 0 {
                found |= 1 &<< UInt64(position)
                let child = node.children[position]
                let value: JSONValue?
                if !child.isWhole && p[i] == UInt8(ascii: "{") {
                    value = object(child, depth: depth &+ 1)
                } else {
                    value = self.value(depth: depth &+ 1)
                }
                guard let value else { return nil }
                if members.isEmpty { members.reserveCapacity(node.names.count) }
                members.append(JSONMember(key: node.nameStrings[position], value: value))
            } else {
                guard skipValue(depth: depth &+ 1) else { return nil }
            }
            skipWhitespace()
            guard i < n else { return nil }
            if p[i] == UInt8(ascii: ",") {
                i &+= 1
                skipWhitespace()
                continue
            }
            guard p[i] == UInt8(ascii: "}") else { return nil }
            i &+= 1
            return .object(members)
        }
    }

    /// Whether the key between `start` and `end` (its raw bytes) is `name`.
    @inline(__always)
    func key(from start: Int, to end: Int, escaped: Bool, is name: [UInt8], _ text: String) -> Bool {
        if escaped { return JSONStringDecoder.decode(p + start, count: end &- start, escaped: true) == text }
        guard end &- start == name.count else { return false }
        return name.withUnsafeBufferPointer { wanted in
            // Member names are short: a byte loop beats a call to memcmp up to a few words.
            guard wanted.count > 16 else {
                for k in 0..<wanted.count where p[start &+ k] != wanted[k] { return false }
                return true
            }
            return memcmp(p + start, wanted.baseAddress!, wanted.count) == 0
        }
    }

    // MARK: Whole values

    /// The value at `i`, materialized in full.
    mutating func value(depth: Int) -> JSONValue? {
        guard i < n else { return nil }
        switch p[i] {
        case UInt8(ascii: "\""):
            let start = i &+ 1
            i = start
            guard let (end, escaped) = string() else { return nil }
            return .string(JSONStringDecoder.decode(p + start, count: end &- start, escaped: escaped))
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { return nil }
            i &+= 1
            skipWhitespace()
            guard i < n else { return nil }
            if p[i] == UInt8(ascii: "}") {
                i &+= 1
                return .object([])
            }
            // Members collect on a stack shared by every object of the document, and move into an array of the
            // exact size at the end: one allocation per object instead of one per doubling.
            let base = members.count
            while true {
                guard i < n, p[i] == UInt8(ascii: "\"") else { return nil }
                let start = i &+ 1
                i = start
                guard let (end, escaped) = string() else { return nil }
                let key =
                    if let keyTable, !escaped {
                        keyTable.key(p, from: start, to: end, n: n)
                    } else {
                        JSONStringDecoder.decode(p + start, count: end &- start, escaped: escaped)
                    }
                guard expect(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                guard let member = value(depth: depth &+ 1) else { return nil }
                members.push(JSONMember(key: key, value: member))
                skipWhitespace()
                guard i < n else { return nil }
                if p[i] == UInt8(ascii: ",") {
                    i &+= 1
                    skipWhitespace()
                    continue
                }
                guard p[i] == UInt8(ascii: "}") else { return nil }
                i &+= 1
                return .object(members.pop(from: base))
            }
        case UInt8(ascii: "["):
            guard depth < maxDepth else { return nil }
            i &+= 1
            skipWhitespace()
            guard i < n else { return nil }
            if p[i] == UInt8(ascii: "]") {
                i &+= 1
                return .array([])
            }
            let base = elements.count
            while true {
                guard let element = value(depth: depth &+ 1) else { return nil }
                elements.push(element)
                skipWhitespace()
                guard i < n else { return nil }
                if p[i] == UInt8(ascii: ",") {
                    i &+= 1
                    skipWhitespace()
                    continue
                }
                guard p[i] == UInt8(ascii: "]") else { return nil }
                i &+= 1
                return .array(elements.pop(from: base))
            }
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        default:
            let start = i
            guard let isInteger = number() else { return nil }
            return .number(JSONNumberParser.number(UnsafeRawBufferPointer(start: p + start, count: i &- start), isInteger: isInteger))
        }
    }

    // MARK: Validation only

    /// Validates the value at `i` and moves past it.
    mutating func skipValue(depth: Int) -> Bool {
        guard i < n else { return false }
        switch p[i] {
        case UInt8(ascii: "\""):
            i &+= 1
            return string() != nil
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { return false }
            i &+= 1
            skipWhitespace()
            guard i < n else { return false }
            if p[i] == UInt8(ascii: "}") {
                i &+= 1
                return true
            }
            while true {
                guard i < n, p[i] == UInt8(ascii: "\"") else { return false }
                i &+= 1
                guard string() != nil, expect(UInt8(ascii: ":")) else { return false }
                skipWhitespace()
                guard skipValue(depth: depth &+ 1) else { return false }
                skipWhitespace()
                guard i < n else { return false }
                if p[i] == UInt8(ascii: ",") {
                    i &+= 1
                    skipWhitespace()
                    continue
                }
                guard p[i] == UInt8(ascii: "}") else { return false }
                i &+= 1
                return true
            }
        case UInt8(ascii: "["):
            guard depth < maxDepth else { return false }
            i &+= 1
            skipWhitespace()
            guard i < n else { return false }
            if p[i] == UInt8(ascii: "]") {
                i &+= 1
                return true
            }
            while true {
                guard skipValue(depth: depth &+ 1) else { return false }
                skipWhitespace()
                guard i < n else { return false }
                if p[i] == UInt8(ascii: ",") {
                    i &+= 1
                    skipWhitespace()
                    continue
                }
                guard p[i] == UInt8(ascii: "]") else { return false }
                i &+= 1
                return true
            }
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number() != nil
        }
    }

    // MARK: Lexemes

    /// The literal `text` at `i`.
    @inline(__always)
    mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard n &- i >= count, memcmp(p + i, text.utf8Start, count) == 0 else { return false }
        i &+= count
        return true
    }

    /// The string content from `i` (after the opening quote): returns the index of the closing quote and
    /// whether it holds an escape, and moves past the quote; nil when invalid.
    @inline(__always)
    mutating func string() -> (end: Int, escaped: Bool)? {
        var escaped = false
        while true {
            // 8 plain ASCII bytes at a time: no quote, backslash, control byte or non-ASCII byte.
            i = JSONSWAR.skipPlainStringWords(p, from: i, end: n)
            guard i < n else { return nil }
            let c = p[i]
            if c == 0x22 {
                let end = i
                i &+= 1
                return (end, escaped)
            } else if c == 0x5C {
                escaped = true
                guard escape() else { return nil }
            } else if c >= 0x80 {
                guard utf8() else { return nil }
            } else if c < 0x20 {
                return nil
            } else {
                i &+= 1
            }
        }
    }

    /// The escape at `i` (a backslash), with the reader's rules: a `\u` high surrogate must be followed by a
    /// `\u` low surrogate, and a low surrogate may not stand alone.
    @inline(__always)
    mutating func escape() -> Bool {
        guard i &+ 1 < n else { return false }
        switch p[i &+ 1] {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
            i &+= 2
            return true
        case 0x75:
            guard let first = hexQuad(at: i &+ 2) else { return false }
            if first >= 0xDC00 && first <= 0xDFFF { return false }
            guard first >= 0xD800 && first <= 0xDBFF else {
                i &+= 6
                return true
            }
            guard i &+ 7 < n, p[i &+ 6] == 0x5C, p[i &+ 7] == 0x75, let second = hexQuad(at: i &+ 8),
                second >= 0xDC00 && second <= 0xDFFF
            else { return false }
            i &+= 12
            return true
        default:
            return false
        }
    }

    @inline(__always)
    func hexQuad(at start: Int) -> Int? {
        guard n &- start >= 4 else { return nil }
        var value = 0
        for index in start..<(start &+ 4) {
            let digit = JSONSWAR.hexValue(p[index])
            guard digit >= 0 else { return nil }
            value = value &<< 4 | digit
        }
        return value
    }

    /// The UTF-8 sequence led by the byte at `i` (>= 0x80): well-formed, shortest form, no surrogates, at most
    /// U+10FFFF (the reader's rules).
    @inline(__always)
    mutating func utf8() -> Bool {
        guard let (length, low, high) = JSONSWAR.utf8Sequence(lead: p[i]) else { return false }
        guard n &- i >= length else { return false }
        let second = p[i &+ 1]
        guard second >= low && second <= high else { return false }
        for k in 2..<max(2, length) where p[i &+ k] & 0xC0 != 0x80 { return false }
        i &+= length
        return true
    }

    /// The number at `i`: returns whether it is an integer (no fraction, no exponent), and moves past it.
    @inline(__always)
    mutating func number() -> Bool? {
        if p[i] == 0x2D {
            i &+= 1
            guard i < n else { return nil }
        }
        let first = p[i]
        if first == 0x30 {
            i &+= 1
        } else if first &- 0x31 < 9 {
            i &+= 1
            digits()
        } else {
            return nil
        }
        var isInteger = true
        if i < n && p[i] == 0x2E {
            i &+= 1
            guard i < n, p[i] &- 0x30 < 10 else { return nil }
            digits()
            isInteger = false
        }
        if i < n && p[i] | 0x20 == 0x65 {
            i &+= 1
            if i < n && (p[i] == 0x2B || p[i] == 0x2D) { i &+= 1 }
            guard i < n, p[i] &- 0x30 < 10 else { return nil }
            digits()
            isInteger = false
        }
        return isInteger
    }

    @inline(__always)
    mutating func digits() {
        i = JSONSWAR.skipDigits(p, from: i, end: n)
    }
}

/// A stack whose top elements move into an array of the exact size (`pop(from:)`), without the copy and the
/// destruction that slicing and shrinking an `Array` cost. It starts in caller-provided scratch space and moves to
/// the heap when that fills; `release()` destroys what is left (a document that turned out invalid) and frees the
/// heap storage.
private struct MoveStack<Element> {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private var isOnHeap = false
    private(set) var count = 0

    init(scratch: UnsafeMutableBufferPointer<Element>) {
        base = scratch.baseAddress!  // scratch of positive capacity
        capacity = scratch.count
    }

    @inline(__always)
    mutating func push(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count &+= 1
    }

    /// The elements from index `start` to the top, moved out in order.
    @inline(__always)
    mutating func pop(from start: Int) -> [Element] {
        let moved = count &- start
        // reserveCapacity and append, not `init(unsafeUninitializedCapacity:)`: the latter calls the standard
        // library's unspecialized buffer allocation, which looks up the array's type metadata on every call (4 % of
        // `macro/pipeline/closed-stages` in a profile); these specialize in this module with the metadata cached.
        var result: [Element] = []
        result.reserveCapacity(moved)
        var index = start
        while index < count {
            result.append((base + index).move())
            index &+= 1
        }
        count = start
        return result
    }

    mutating func release() {
        base.deinitialize(count: count)
        count = 0
        if isOnHeap { base.deallocate() }
        isOnHeap = false
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: base, count: count)
        if isOnHeap { base.deallocate() }
        base = larger
        capacity *= 2
        isOnHeap = true
    }
}
