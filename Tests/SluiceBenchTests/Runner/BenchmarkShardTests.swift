import SluiceBench
import SluiceTestKit
import Testing

@Suite struct BenchmarkShardTests {
    @Test(arguments: [1, 2, 3, 7])
    func shardsPartitionTheSuite(count: Int) {
        var generator = SeededRandomNumberGenerator.fromEnvironment(default: 42)
        let names = (0..<23).map { _ in "micro/x/\(UInt32.random(in: 0...UInt32.max, using: &generator))" }
        let parts = (1...count).map { BenchmarkShard(index: $0, count: count).select(names.shuffled(using: &generator)) }
        #expect(parts.flatMap { $0 }.sorted() == names.sorted(), "seed \(generator.seed)")
        #expect(Set(parts.flatMap { $0 }).count == names.count)
        let sizes = parts.map(\.count)
        #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
        for (index, part) in parts.enumerated() {
            for name in part { #expect(BenchmarkShard.shardIndex(of: name, among: names, count: count) == index + 1) }
        }
    }

    @Test(arguments: ["0/3", "4/3", "1", "a/b", "1/0", "-1/2", "1/2/3"])
    func badShardTextIsRejected(text: String) {
        #expect(throws: HarnessError.self) { try BenchmarkShard(parsing: text) }
    }

    @Test func shardTextRoundTrips() throws {
        #expect(try BenchmarkShard(parsing: "2/5").description == "2/5")
    }
}
