import Sluice
import SluiceJSON
import SluiceTestKit
import Testing

@Suite struct StableKeyHasherTests {
    /// Reference values from the xxHash reference implementation (python-xxhash `xxh64(..., seed=0)`).
    static let vectors: [(String, UInt64)] = [
        ("", 0xEF46_DB37_51D8_E999),
        ("a", 0xD24E_C4F1_A98C_6E5B),
        ("abc", 0x44BC_2CF5_AD77_0999),
        ("Nobody inspects the spammish repetition", 0xFBCE_A83C_8A37_8BF1),
        ("customer-42", 0xCA6E_96E9_5695_8C0F),
    ]

    @Test(arguments: vectors)
    func stringsHashLikeXXH64(_ text: String, _ expected: UInt64) {
        #expect(StableKeyHasher.hash(text) == expected)
        #expect(StableKeyHasher.hash(Array(text.utf8)) == expected)
        #expect(StableKeyHasher.hash(JSONValue.string(text)) == expected)
        #expect(StableKeyHasher.hash(text[...]) == expected)
    }

    @Test func longInputAndSeedMatchTheReference() {
        let bytes = (0..<100).map { UInt8($0) }
        #expect(StableKeyHasher.hash(bytes) == 0x6AC1_E580_3216_6597)
        #expect(StableKeyHasher.hash(42) == 0xB556_806F_B6D1_4353)
        #expect(StableKeyHasher.hash(Int64(42)) == StableKeyHasher.hash(42))
        #expect(StableKeyHasher.hash(JSONValue.number(.int(42))) == StableKeyHasher.hash(42))
        #expect(StableKeyHasher.hash("abc", seed: 7) == 0x9E75_5206_1566_76D7)
    }

    @Test func feedingInPiecesEqualsFeedingAtOnce() {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 14)
        for _ in 0..<200 {
            let length = Int.random(in: 0..<300, using: &random)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let whole = StableKeyHasher.hash(bytes)
            var hasher = StableKeyHasher()
            var offset = 0
            while offset < length {
                let piece = min(Int.random(in: 1...40, using: &random), length - offset)
                bytes[offset..<(offset + piece)].withUnsafeBytes { hasher.combine(bytes: $0) }
                offset += piece
            }
            #expect(hasher.finalize() == whole, "seed \(random.seed), length \(length)")
        }
    }
}
