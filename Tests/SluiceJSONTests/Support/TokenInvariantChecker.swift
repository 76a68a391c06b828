import SluiceJSON

/// Checks the grammar-level invariants of a token stream: depth never below zero, begins and ends
/// balanced and matching, keys only directly inside objects and each followed by one value, and
/// exactly one value per document. Returns a description of the first violation, or `nil`.
enum TokenInvariantChecker {
    static func violation(in tokens: [JSONToken]) -> String? {
        var stack: [Bool] = []  // true: object
        var awaitingValue = false  // a key was read, its value not yet
        var valuesAtTop = 0
        for (index, token) in tokens.enumerated() {
            let inObject = stack.last == true
            switch token {
            case .key:
                guard inObject, !awaitingValue else { return "key outside an object member position at \(index)" }
                awaitingValue = true
                continue
            case .endObject, .endArray:
                guard let top = stack.popLast() else { return "depth below zero at \(index)" }
                guard top == (token == .endObject), !awaitingValue else { return "mismatched end at \(index)" }
                if stack.isEmpty { valuesAtTop += 1 }
                continue
            case .endOfDocument:
                guard stack.isEmpty, !awaitingValue else { return "document ended inside a value at \(index)" }
                guard valuesAtTop == 1 else { return "document with \(valuesAtTop) values at \(index)" }
                valuesAtTop = 0
                continue
            default:
                break
            }
            // A value (scalar or container start).
            if inObject && !awaitingValue { return "value without a key in an object at \(index)" }
            awaitingValue = false
            switch token {
            case .beginObject: stack.append(true)
            case .beginArray: stack.append(false)
            default: if stack.isEmpty { valuesAtTop += 1 }
            }
        }
        if !stack.isEmpty || valuesAtTop != 0 { return "stream ended inside a document" }
        return nil
    }
}
