import SluiceState
import Testing

@Suite struct CRC32CTests {
    /// Known vectors: the CRC catalogue's check value and RFC 3720 (iSCSI) appendix B.4.
    static let vectors: [(name: String, bytes: [UInt8], crc: UInt32)] = [
        ("check 123456789", Array("123456789".utf8), 0xE306_9283),
        ("32 zero bytes", [UInt8](repeating: 0, count: 32), 0x8A91_36AA),
        ("32 0xFF bytes", [UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
        ("32 ascending bytes", (0..<32).map { UInt8($0) }, 0x46DD_794E),
        ("32 descending bytes", (0..<32).map { UInt8(31 - $0) }, 0x113F_DB5C),
        ("empty", [], 0),
    ]

    @Test(arguments: vectors.indices)
    func knownVector(_ index: Int) {
        let vector = Self.vectors[index]
        #expect(CRC32C.checksum(vector.bytes) == vector.crc, "\(vector.name)")
    }

    @Test func incrementalUpdatesMatchOneShotAtEverySplit() {
        let bytes = Array("The quick brown fox jumps over the lazy dog, twice over.".utf8)
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            var crc = CRC32C()
            crc.update(bytes[..<split])
            crc.update(bytes[split...])
            #expect(crc.value == whole, "split at \(split)")
        }
    }

    @Test func aFlippedBitChangesTheChecksum() {
        var bytes = Array("sluice checkpoint payload".utf8)
        let before = CRC32C.checksum(bytes)
        bytes[5] ^= 0x10
        #expect(CRC32C.checksum(bytes) != before)
    }
}
