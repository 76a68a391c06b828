import Sluice
import Testing

@Suite struct PipelineBuilderTests {
    @Test func statefulStagesScanReduceAndAggregate() throws {
        let scanned = OutputCollector<Int>()
        _ = try SyncEngine().run(Pipeline.source(1...4).scan(initial: 0) { $0 + $1 }.sink(scanned))
        #expect(scanned.elements == [1, 3, 6, 10])

        let reduced = OutputCollector<Int>()
        _ = try SyncEngine().run(Pipeline.source(1...4).reduce(initial: 1) { $0 *= $1 }.sink(reduced))
        #expect(reduced.elements == [24])

        let grouped = OutputCollector<KeyedValue<String, Int>>()
        let words = ["b", "a", "b", "c", "b", "a"]
        _ = try SyncEngine().run(Pipeline.source(words).aggregate(by: { $0 }, initial: 0) { $0 += 1 + 0 * $1.count }.sink(grouped))
        #expect(grouped.elements == [.init(key: "b", value: 3), .init(key: "a", value: 2), .init(key: "c", value: 1)])
    }

    @Test func duplicateStageNamesAreRejectedNamingTheStage() {
        let pipeline = Pipeline.source([1]).map("twin") { $0 }.map("twin") { $0 }.sink(OutputCollector<Int>())
        #expect {
            try SyncEngine().run(pipeline)
        } throws: { error in
            guard let error = error as? PipelineError else { return false }
            return error.code == .duplicateStageName && error.stages == ["twin"] && error.message.contains("twin")
        }
    }

    @Test func defaultNamesAreUniqueAndPositional() throws {
        let pipeline = Pipeline.source([1, 2]).map { $0 }.filter { _ in true }.flatMap { [$0] }.sink(OutputCollector<Int>())
        #expect(pipeline.stageNames == ["source", "map1", "filter2", "flatMap3", "sink"])
        let statistics = try SyncEngine().run(pipeline)
        #expect(statistics.sourceCount == 2)
        #expect(statistics.sinkCount == 2)
    }
}
