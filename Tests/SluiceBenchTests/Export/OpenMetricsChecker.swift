import Foundation

/// A checker for the OpenMetrics text grammar parts the exporter uses: metadata before samples, families not
/// interleaved, units as name suffixes, sample names matching their family's type, `# EOF` last.
enum OpenMetricsChecker {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func check(_ text: String) throws {
        guard text.hasSuffix("# EOF\n") else { throw Failure(description: "missing # EOF terminator") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.last == "# EOF" else { throw Failure(description: "# EOF is not the last line") }
        var seenFamilies: Set<String> = []
        var current: (name: String, type: String)?
        let namePattern = try Regex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")
        for (number, line) in lines.dropLast().enumerated() {
            let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
            if line.hasPrefix("# ") {
                guard parts.count >= 3, ["TYPE", "UNIT", "HELP"].contains(parts[1]) else {
                    throw Failure(description: "line \(number + 1): bad metadata \(line)")
                }
                let name = parts[2]
                guard name.wholeMatch(of: namePattern) != nil else {
                    throw Failure(description: "line \(number + 1): bad name \(name)")
                }
                if parts[1] == "TYPE" {
                    guard !seenFamilies.contains(name) else {
                        throw Failure(description: "line \(number + 1): family \(name) interleaved or repeated")
                    }
                    seenFamilies.insert(name)
                    current = (name, parts.count > 3 ? parts[3] : "")
                } else {
                    guard current?.name == name else {
                        throw Failure(description: "line \(number + 1): metadata for \(name) outside its family")
                    }
                    if parts[1] == "UNIT", let unit = parts.count > 3 ? parts[3] : nil, !name.hasSuffix("_" + unit) {
                        throw Failure(description: "line \(number + 1): unit \(unit) is not a suffix of \(name)")
                    }
                }
                continue
            }
            guard let family = current else { throw Failure(description: "line \(number + 1): sample before TYPE") }
            guard let brace = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") else {
                throw Failure(description: "line \(number + 1): sample without labels \(line)")
            }
            let sampleName = String(line[..<brace])
            let allowed: [String] = switch family.type {
            case "summary": [family.name, family.name + "_count", family.name + "_sum"]
            case "info": [family.name + "_info"]
            default: [family.name]
            }
            guard allowed.contains(sampleName) else {
                throw Failure(description: "line \(number + 1): sample \(sampleName) not allowed in \(family.type) \(family.name)")
            }
            try checkLabels(String(line[line.index(after: brace)..<close]), line: number + 1)
            let value = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
            guard Double(value) != nil || ["+Inf", "-Inf", "NaN"].contains(value) else {
                throw Failure(description: "line \(number + 1): bad value \(value)")
            }
        }
    }

    /// Parses `a="x",b="y"` honouring escapes; throws on a raw newline, an unknown escape or an unclosed quote.
    static func checkLabels(_ text: String, line: Int) throws {
        var index = text.startIndex
        while index < text.endIndex {
            guard let equals = text[index...].firstIndex(of: "="), text[text.index(after: equals)] == "\"" else {
                throw Failure(description: "line \(line): bad label syntax")
            }
            var cursor = text.index(equals, offsetBy: 2)
            var closed = false
            while cursor < text.endIndex {
                let character = text[cursor]
                if character == "\\" {
                    let next = text.index(after: cursor)
                    guard next < text.endIndex, ["\\", "\"", "n"].contains(text[next]) else {
                        throw Failure(description: "line \(line): unknown escape")
                    }
                    cursor = text.index(after: next)
                    continue
                }
                if character == "\n" { throw Failure(description: "line \(line): raw newline in a label") }
                if character == "\"" {
                    closed = true
                    break
                }
                cursor = text.index(after: cursor)
            }
            guard closed else { throw Failure(description: "line \(line): unclosed label value") }
            index = text.index(after: cursor)
            if index < text.endIndex {
                guard text[index] == "," else { throw Failure(description: "line \(line): expected a comma") }
                index = text.index(after: index)
            }
        }
    }

    static func unescape(_ value: String) -> String {
        var result = ""
        var iterator = value.makeIterator()
        while let character = iterator.next() {
            guard character == "\\", let next = iterator.next() else {
                result.append(character)
                continue
            }
            result.append(next == "n" ? "\n" : next)
        }
        return result
    }
}
