import SluiceState
import Testing

@Suite struct BinaryCodingTests {
    @Test func roundTripsEveryKind() throws {
        var writer = BinaryWriter()
        writer.write(UInt8(7))
        writer.write(UInt32(0xDEAD_BEEF))
        writer.write(UInt64.max)
        writer.write(Int64(-42))
        writer.writeString("clé")
        writer.writeBytes([1, 2, 3])
        var reader = BinaryReader(writer.bytes)
        #expect(try reader.readUInt8() == 7)
        #expect(try reader.readUInt32() == 0xDEAD_BEEF)
        #expect(try reader.readUInt64() == .max)
        #expect(try reader.readInt64() == -42)
        #expect(try reader.readString() == "clé")
        #expect(try reader.readBytes() == [1, 2, 3])
        #expect(reader.isAtEnd)
    }

    @Test func truncatedInputThrowsInsteadOfTrapping() throws {
        var writer = BinaryWriter()
        writer.writeString("a long enough string")
        for cut in 0..<writer.bytes.count {
            var reader = BinaryReader(Array(writer.bytes[..<cut]))
            let error = #expect(throws: StateError.self) { try reader.readString() }
            #expect(error?.code == .corruptSnapshot, "cut at \(cut)")
        }
    }
}
