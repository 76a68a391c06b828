import Foundation
import SluiceJSON
import SluiceTestKit
import Testing

/// The token materializer builds the same values as Foundation on the corpus, and exactly the
/// generator's values on seeded documents (escapes, surrogate pairs, extreme numbers).
@Suite struct JSONTokenMaterializerTests {
    @Test(arguments: SharedFixtures.corpusNames)
    func corpusMatchesFoundation(name: String) throws {
        let bytes = try SharedFixtures.corpusFile(name)
        let value = try JSONValue(parsing: bytes)
        let foundation = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        let difference = LooseJSON.firstDifference(LooseJSON(value), LooseJSON(foundation: foundation), path: "$")
        #expect(difference == nil, "\(name)")
    }

    @Test func generatedDocumentsMaterializeExactly() throws {
        let seed = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0007).seed
        var generator = RandomJSONGenerator(seed: seed)
        for round in 0..<300 {
            let document = generator.document(maxDepth: 5, maxWidth: 5)
            let value = try JSONValue(parsing: document.bytes)
            #expect(value == document.value, "seed \(seed) round \(round): \(String(decoding: document.bytes, as: UTF8.self))")
        }
    }

    @Test func streamingMaterializationMatchesWholeParsing() throws {
        let seed = SeededRandomNumberGenerator.fromEnvironment(default: 0x5EED_0008).seed
        var generator = RandomJSONGenerator(seed: seed)
        let stream = generator.ndjson(count: 40, maxDepth: 4)
        guard case .array(let expected) = stream.value else { return }
        var reader = JSONTokenReader(allowsMultipleDocuments: true)
        var materializer = JSONTokenMaterializer()
        var documents: [JSONValue] = []
        let buffer = UnsafeMutableBufferPointer<JSONToken>.allocate(capacity: 7)
        defer { buffer.deallocate() }
        var start = 0
        func drain() throws {
            while case let count = try reader.read(into: buffer), count > 0 {
                // Alternate the batch and the single-token entry points.
                if count % 2 == 0 {
                    materializer.consume(UnsafeBufferPointer(rebasing: buffer[..<count]), from: reader) { documents.append($0) }
                } else {
                    for token in buffer[..<count] {
                        if let document = materializer.consume(token, from: reader) { documents.append(document) }
                    }
                }
            }
        }
        while start < stream.bytes.count {
            let end = min(start + 13, stream.bytes.count)
            reader.feed(stream.bytes[start..<end])
            start = end
            try drain()
        }
        try reader.finalize()
        try drain()
        #expect(documents == expected, "seed \(seed)")
    }

    @Test func parseErrorsAreShiftedByTheBaseOffset() {
        #expect {
            try JSONDocumentParser.parse(Array("[1,]".utf8), baseOffset: 100)
        } throws: { error in
            (error as? JSONParseError)?.offset == 103
        }
    }
}

/// A comparison form that both Foundation's output and `JSONValue` map to: numbers as `Double`
/// (Foundation does not keep the integer/double distinction), booleans kept apart from numbers.
indirect enum LooseJSON {
    case null, bool(Bool), number(Double), string(String), array([LooseJSON]), object([String: LooseJSON])

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number): self = .number(number.doubleValue)
        case .string(let text): self = .string(text)
        case .array(let elements): self = .array(elements.map(LooseJSON.init))
        case .object(let members):
            self = .object(Dictionary(members.map { ($0.key, LooseJSON($0.value)) }, uniquingKeysWith: { _, last in last }))
        }
    }

    init(foundation value: Any) {
        switch value {
        case is NSNull: self = .null
        case let text as String: self = .string(text)
        case let array as [Any]: self = .array(array.map(LooseJSON.init(foundation:)))
        case let object as [String: Any]: self = .object(object.mapValues(LooseJSON.init(foundation:)))
        case let number as NSNumber:
            // swift-corelibs-foundation gives booleans their own NSNumber type.
            if type(of: number) == type(of: NSNumber(value: true)) && (number == 0 || number == 1)
                && String(describing: number.objCType) == String(describing: NSNumber(value: true).objCType)
            {
                self = .bool(number.boolValue)
            } else {
                self = .number(number.doubleValue)
            }
        default: self = .string("unsupported \(type(of: value))")
        }
    }
}

extension LooseJSON {
    /// The path of the first difference, or `nil`. Numbers may differ by a relative 1e-14:
    /// swift-corelibs-foundation does not always round decimal text correctly (for example
    /// `-0.000813990831375` in mesh.json), while the reader agrees with Swift's `Double(String)`
    /// (checked exactly in `JSONTokenReaderDecodingTests`).
    static func firstDifference(_ lhs: LooseJSON, _ rhs: LooseJSON, path: String) -> String? {
        switch (lhs, rhs) {
        case (.null, .null): return nil
        case (.bool(let a), .bool(let b)): return a == b ? nil : path
        case (.string(let a), .string(let b)): return a == b ? nil : path
        case (.number(let a), .number(let b)):
            return a == b || abs(a - b) <= 1e-14 * max(abs(a), abs(b)) ? nil : "\(path): \(a) vs \(b)"
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return "\(path): \(a.count) vs \(b.count) elements" }
            for index in a.indices {
                if let found = firstDifference(a[index], b[index], path: "\(path)[\(index)]") { return found }
            }
            return nil
        case (.object(let a), .object(let b)):
            guard a.keys.sorted() == b.keys.sorted() else { return "\(path): keys differ" }
            for key in a.keys.sorted() {
                if let found = firstDifference(a[key]!, b[key]!, path: "\(path).\(key)") { return found }  // keys equal
            }
            return nil
        default: return "\(path): \(lhs) vs \(rhs)"
        }
    }
}
