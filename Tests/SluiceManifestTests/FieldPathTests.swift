import SluiceManifest
import SluiceTestKit
import Testing

/// `FieldPath.description` is the path as a manifest would write it: `init(parsing:)` reads it back to the same
/// path, whatever the member names hold.
@Suite struct FieldPathTests {
    @Test func aPathsDescriptionParsesBackToTheSamePath() throws {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0xF1E1D)
        let seed = random.seed
        let alphabet: [Character] = ["a", "Z", "7", "_", "-", " ", "\"", "\\", "\n", "\t", ".", "[", "]", "'", "é", "$"]
        for round in 0..<500 {
            var steps: [FieldPath.Step] = []
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                if Int.random(in: 0..<4, using: &random) == 0 {
                    steps.append(.index(Int.random(in: 0...99, using: &random)))
                } else {
                    let length = Int.random(in: 1...6, using: &random)
                    steps.append(.member(String((0..<length).map { _ in alphabet.randomElement(using: &random)! })))
                }
            }
            let path = FieldPath(steps)
            let parsed = try FieldPath(parsing: path.description)
            #expect(parsed == path, "seed \(seed), round \(round): \(path.description)")
        }
        #expect(FieldPath([.member("say \"hi\"\\")]).description == #".["say \"hi\"\\"]"#)
    }
}
