import NIOCore
import SluiceConnectors
import SluiceTestKit
import Testing

/// The connection's encoder (`RESPCommand.encode(into: ByteBuffer)`, one raw write of `encodedLength` bytes)
/// against the plain byte-array encoder as the oracle, and against the parser: the bytes are the same, and they
/// parse back as the command's arguments.
@Suite struct RESPCommandEncodingTests {
    /// Argument lengths around the decimal digit boundaries, empty arguments and arbitrary bytes (CR, LF, NUL).
    static func randomCommand(_ random: inout SeededRandomNumberGenerator) -> RESPCommand {
        let lengths = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1_000, 1_001]
        let count = Int.random(in: 1...12, using: &random)
        return RESPCommand(arguments: (0..<count).map { _ in
            let length = Bool.random(using: &random) ? lengths.randomElement(using: &random)! : Int.random(in: 0...300, using: &random)
            return (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
        })
    }

    @Test func theBufferEncodingIsTheArrayEncodingAndParsesBackToTheArguments() throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 2_019)
        let seed = random.seed
        for round in 0..<400 {
            let commands = (0..<Int.random(in: 1...5, using: &random)).map { _ in Self.randomCommand(&random) }
            var oracle: [UInt8] = []
            for command in commands { command.encode(into: &oracle) }
            // A buffer that must grow, and one written after bytes already in it.
            var buffer = ByteBufferAllocator().buffer(capacity: Int.random(in: 0...16, using: &random))
            buffer.writeString("prefix")
            for command in commands { command.encode(into: &buffer) }
            #expect(buffer.readString(length: 6) == "prefix")
            let encoded = buffer.readBytes(length: buffer.readableBytes) ?? []
            #expect(encoded == oracle, "seed \(seed) (SLUICE_SEED), round \(round)")
            #expect(commands.reduce(0) { $0 + $1.encodedLength } == oracle.count, "seed \(seed) (SLUICE_SEED), round \(round)")
            var rest = encoded[...]
            for command in commands {
                let parsed = try RESPParser().parse(Array(rest))
                #expect(parsed?.value == .array(command.arguments.map { .bulkString($0) }), "seed \(seed) (SLUICE_SEED), round \(round)")
                rest = rest.dropFirst(parsed?.consumed ?? rest.count)
            }
            #expect(rest.isEmpty, "seed \(seed) (SLUICE_SEED), round \(round)")
            if encoded != oracle { return }
        }
    }

    @Test func aKnownCommandEncodesToItsWireBytes() {
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        RESPCommand("XACK", "in:3", "sluice", "1-0").encode(into: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == "*4\r\n$4\r\nXACK\r\n$4\r\nin:3\r\n$6\r\nsluice\r\n$3\r\n1-0\r\n")
        #expect(RESPCommand("XACK", "in:3", "sluice", "1-0").encodedLength == 45)
    }
}
