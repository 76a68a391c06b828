/// A tag-balance checker for XML-style markup: every element closed in order, attributes quoted,
/// no raw `<` or `&` in text. It works where FoundationXML is missing.
enum TagBalance {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func check(_ markup: String) throws {
        let voidElements: Set<String> = []
        var stack: [String] = []
        var index = markup.startIndex
        while index < markup.endIndex {
            let character = markup[index]
            if character == "&" {
                let rest = markup[index...]
                guard let semicolon = rest.firstIndex(of: ";"), markup.distance(from: index, to: semicolon) <= 8 else {
                    throw Failure(description: "raw & at offset \(markup.distance(from: markup.startIndex, to: index))")
                }
                let entity = String(markup[markup.index(after: index)..<semicolon])
                guard ["amp", "lt", "gt", "quot", "apos"].contains(entity) || entity.hasPrefix("#") else {
                    throw Failure(description: "unknown entity &\(entity);")
                }
            }
            guard character == "<" else {
                index = markup.index(after: index)
                continue
            }
            guard let close = markup[index...].firstIndex(of: ">") else { throw Failure(description: "unclosed <") }
            let tag = markup[markup.index(after: index)..<close]
            index = markup.index(after: close)
            if tag.hasPrefix("!") || tag.hasPrefix("?") { continue }
            if tag.hasPrefix("/") {
                let name = String(tag.dropFirst())
                guard stack.popLast() == name else {
                    throw Failure(description: "</\(name)> closes \(stack.last.map { "<\($0)>" } ?? "nothing")")
                }
                continue
            }
            let name = String(tag.prefix { !$0.isWhitespace && $0 != "/" })
            guard !name.isEmpty, !tag.contains("<") else { throw Failure(description: "bad tag <\(tag)>") }
            let quotes = tag.filter { $0 == "\"" }.count
            guard quotes % 2 == 0 else { throw Failure(description: "unbalanced quotes in <\(tag)>") }
            if tag.hasSuffix("/") || voidElements.contains(name) { continue }
            stack.append(name)
        }
        guard stack.isEmpty else { throw Failure(description: "unclosed elements: \(stack)") }
    }
}
