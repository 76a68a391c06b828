import SluiceConnectors
import SluiceTestKit
import Testing

/// The RESP parser on seeded random replies: every value round-trips whatever the chunk boundaries, and random
/// corruptions end in a value, "need more bytes" or a `RESPParseError`, never a crash or a hang.
@Suite struct RESPParserTests {
    static func randomValue(_ random: inout SeededRandomNumberGenerator, depth: Int = 0) -> RESPValue {
        switch Int.random(in: 0..<(depth < 4 ? 7 : 5), using: &random) {
        case 0: return .simpleString(String((0..<Int.random(in: 0...12, using: &random)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &random))) }))
        case 1: return .error("ERR " + String(Int.random(in: 0...999, using: &random)))
        case 2: return .integer(Int64.random(in: Int64.min...Int64.max, using: &random))
        case 3: return .bulkString((0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        case 4: return Bool.random(using: &random) ? .bulkString(nil) : .array(nil)
        default: return .array((0..<Int.random(in: 0...5, using: &random)).map { _ in randomValue(&random, depth: depth + 1) })
        }
    }

    /// Feeds `bytes` in random pieces the way a connection does: parse from the start of what has arrived.
    static func parseAll(_ bytes: [UInt8], _ random: inout SeededRandomNumberGenerator, parser: RESPParser = RESPParser()) throws -> [RESPValue] {
        var received: [UInt8] = []
        var values: [RESPValue] = []
        var index = 0
        while index < bytes.count {
            let step = Int.random(in: 1...max(1, bytes.count / 3), using: &random)
            received.append(contentsOf: bytes[index..<min(bytes.count, index + step)])
            index += step
            while let (value, consumed) = try parser.parse(received) {
                values.append(value)
                received.removeFirst(consumed)
            }
        }
        return values
    }

    @Test func randomRepliesRoundTripAcrossAnyChunkBoundaries() throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 19)
        let seed = random.seed
        for round in 0..<300 {
            let values = (0..<Int.random(in: 1...6, using: &random)).map { _ in Self.randomValue(&random) }
            var bytes: [UInt8] = []
            for value in values { value.encode(into: &bytes) }
            let parsed = try Self.parseAll(bytes, &random)
            #expect(parsed == values, "seed \(seed) (SLUICE_SEED), round \(round)")
            // The completeness scan agrees with the parser on where the first value ends, and on a cut one.
            let first = try RESPParser().parse(bytes)?.consumed
            let scanned = bytes.withUnsafeBytes { RESPParser().completeLength($0) }
            #expect(scanned == first, "seed \(seed) (SLUICE_SEED), round \(round)")
            if let first, first > 1 {
                let cut = Int.random(in: 1..<first, using: &random)
                #expect(bytes[..<cut].withUnsafeBytes { RESPParser().completeLength($0) } == nil, "seed \(seed), round \(round)")
            }
            if parsed != values { return }
        }
    }

    @Test func corruptedRepliesAreErrorsOrIncompleteNeverACrash() {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 1919)
        let seed = random.seed
        let parser = RESPParser(maxBulkLength: 1 << 16, maxArrayCount: 1 << 10, maxDepth: 8, maxLineLength: 256)
        var outcomes = [0, 0, 0]  // value, incomplete, error
        for _ in 0..<3_000 {
            var bytes: [UInt8] = []
            Self.randomValue(&random).encode(into: &bytes)
            for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                }
            }
            do {
                if let (_, consumed) = try parser.parse(bytes) {
                    #expect(consumed > 0 && consumed <= bytes.count, "seed \(seed) (SLUICE_SEED)")
                    outcomes[0] += 1
                } else {
                    outcomes[1] += 1
                }
            } catch {
                #expect(error.offset >= 0 && error.offset <= bytes.count, "seed \(seed): \(error)")
                outcomes[2] += 1
            }
        }
        // The corruptions must reach every outcome, or the test is not exercising the error paths.
        #expect(outcomes.allSatisfy { $0 > 0 }, "seed \(seed) (SLUICE_SEED): outcomes \(outcomes)")
    }

    @Test(arguments: [
        ("?x\r\n", "unexpected type byte"),
        (":12a\r\n", "expected an integer"),
        (":99999999999999999999\r\n", "does not fit in 64 bits"),
        ("$3\r\nabcd\r\n", "not followed by \\r\\n"),
        ("$-2\r\n", "outside"),
        ("*-5\r\n", "outside"),
        ("+OK\rX", "\\r not followed by \\n"),
        ("+O\nK\r\n", "bare \\n"),
        (":\r\n", "empty line"),
    ])
    func malformedRepliesNameWhatWasExpected(_ text: String, _ mention: String) {
        let error = #expect(throws: RESPParseError.self) { try RESPParser().parse(Array(text.utf8)) }
        #expect(error?.description.contains(mention) == true, "\(error?.description ?? "no error")")
    }

    @Test func limitsAreErrorsBeforeAnyMemoryIsReserved() throws {
        let parser = RESPParser(maxBulkLength: 10, maxArrayCount: 10, maxDepth: 2)
        #expect(throws: RESPParseError.self) { try parser.parse(Array("$11\r\n".utf8)) }
        #expect(throws: RESPParseError.self) { try parser.parse(Array("*11\r\n".utf8)) }
        #expect(throws: RESPParseError.self) { try parser.parse(Array("*1\r\n*1\r\n*1\r\n:1\r\n".utf8)) }
        #expect(try parser.parse(Array("*1\r\n*1\r\n:1\r\n".utf8))?.value == .array([.array([.integer(1)])]))
        // A huge announced array that has not arrived is "need more bytes", not an allocation.
        #expect(try RESPParser().parse(Array("*16000000\r\n:1\r\n".utf8)) == nil)
    }
}
