import SluiceState
import SluiceTestKit
import Testing

@Suite struct CheckpointFileTests {
    static func sampleCapture(id: UInt64 = 7) -> CheckpointCapture {
        let state = InMemoryStateBackend<Int64>()
        for index in 0..<20 { state.setValue(Int64(index * index), forKey: "key\(index)") }
        return CheckpointCapture(
            id: id, parentID: id - 1,
            sources: [SourcePosition(source: "input", nextSequence: 123, byteOffset: 4567)],
            stages: [CheckpointCapture.stage("count", state.makeSnapshot())], metadata: ["engine": "0.1.0"])
    }

    @Test func roundTrips() throws {
        let bytes = try CheckpointFile.encode(Self.sampleCapture())
        let image = try CheckpointFile.decode(bytes)
        #expect(image.id == 7 && image.parentID == 6)
        #expect(image.position(ofSource: "input") == SourcePosition(source: "input", nextSequence: 123, byteOffset: 4567))
        #expect(image.metadata == ["engine": "0.1.0"])
        let entries = try image.entries(forStage: "count", as: Int64.self)
        let read: [String: Int64] = Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) })
        let expected: [String: Int64] = Dictionary(
            uniqueKeysWithValues: (0..<20).map { (n: Int) -> (String, Int64) in ("key\(n)", Int64(n * n)) })
        #expect(read == expected)
        #expect(try image.entries(forStage: "absent", as: Int64.self).isEmpty)
    }

    @Test func everyFlippedByteIsDetected() throws {
        let bytes = try CheckpointFile.encode(Self.sampleCapture())
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 0xF11B)
        for index in 0..<bytes.count {
            var damaged = bytes
            damaged[index] ^= UInt8.random(in: 1...255, using: &random)
            let error = #expect(throws: StateError.self, "byte \(index), seed \(random.seed)") {
                try CheckpointFile.decode(damaged, path: "x.snap")
            }
            #expect(error?.code == .corruptSnapshot || error?.code == .unsupportedFormat, "byte \(index)")
        }
    }

    @Test func truncationIsDetected() throws {
        let bytes = try CheckpointFile.encode(Self.sampleCapture())
        for length in [0, 10, 43, 44, bytes.count - 1] {
            let error = #expect(throws: StateError.self) { try CheckpointFile.decode(Array(bytes[..<length])) }
            #expect(error?.code == .corruptSnapshot, "length \(length)")
        }
    }
}
