#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SluiceJSON

/// jq's total order on JSON values: null < false < true < numbers < strings < arrays < objects; numbers by
/// value, strings by Unicode scalars, arrays element-wise, objects by sorted keys then values.
enum JSONOrdering {
    /// Negative, zero or positive as `left` sorts before, with, or after `right`.
    static func compare(_ left: JSONValue, _ right: JSONValue) -> Int {
        let (leftRank, rightRank) = (rank(left), rank(right))
        if leftRank != rightRank { return leftRank < rightRank ? -1 : 1 }
        switch (left, right) {
        case (.number(let a), .number(let b)):
            if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : (x == y ? 0 : 1) }
            let (x, y) = (a.doubleValue, b.doubleValue)
            return x < y ? -1 : (x == y ? 0 : 1)
        case (.string(let a), .string(let b)):
            return compare(a, b)
        case (.array(let a), .array(let b)):
            for (x, y) in zip(a, b) {
                let order = compare(x, y)
                if order != 0 { return order }
            }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        case (.object(let a), .object(let b)):
            let keysA = a.map(\.key).sorted { compare($0, $1) < 0 }, keysB = b.map(\.key).sorted { compare($0, $1) < 0 }
            let keyOrder = compare(.array(keysA.map { .string($0) }), .array(keysB.map { .string($0) }))
            if keyOrder != 0 { return keyOrder }
            for key in keysA {
                let order = compare(JSONValue.object(a)[key] ?? .null, JSONValue.object(b)[key] ?? .null)
                if order != 0 { return order }
            }
            return 0
        default:
            return 0
        }
    }

    /// Strings by Unicode scalars, as jq compares them (not by Swift's canonical equivalence, under which "é"
    /// composed and decomposed are equal): UTF-8 byte order is scalar order, so the bytes are compared.
    static func compare(_ left: String, _ right: String) -> Int {
        var (a, b) = (left, right)
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                if common > 0 {
                    let order = memcmp(x.baseAddress!, y.baseAddress!, common)
                    if order != 0 { return order < 0 ? -1 : 1 }
                }
                return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
            }
        }
    }

    private static func rank(_ value: JSONValue) -> Int {
        switch value {
        case .null: 0
        case .bool(false): 1
        case .bool(true): 2
        case .number: 3
        case .string: 4
        case .array: 5
        case .object: 6
        }
    }
}
