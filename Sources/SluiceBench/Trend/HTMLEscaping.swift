import Foundation

/// Escaping for text put into HTML, SVG and Markdown. Every piece of data from a history file
/// (benchmark names, commits, units) goes through here before it is written into a page.
package enum HTMLEscaping {
    /// Escapes `&`, `<`, `>`, `"` and `'`, so the text is safe in element content and in quoted attributes.
    /// Control characters other than tab and newline are dropped: they are not allowed in XML.
    /// Complexity: O(n).
    package static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0xFFFE...0xFFFF).contains(scalar.value) {
                    continue
                }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A fragment identifier made of `[a-z0-9-]` only, e.g. `micro-tokenize-twitter--wall_time` → safe for `id`.
    package static func identifier(_ text: String) -> String {
        var result = ""
        var lastWasDash = false
        for character in text.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                result.append(character)
                lastWasDash = false
            } else if !lastWasDash {
                result.append("-")
                lastWasDash = true
            }
        }
        return result.isEmpty ? "x" : result
    }

    /// Escapes text for a Markdown table cell: HTML-escaped, pipes and backticks escaped, newlines as spaces.
    package static func markdownCell(_ text: String) -> String {
        escape(text)
            .replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "`", with: "\\`")
            .replacingOccurrences(of: "\n", with: " ")
    }
}
