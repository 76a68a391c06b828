import Sluice
import SluiceJSON

/// The macro workload written the way a user writes it: only the engine's public stages.
///
/// `FileByteSource`/`BufferByteSource` (64 KiB chunks) → `.frames(.newlineDelimited)` → `.values()` →
/// `weigh` (map) → `drop-heartbeats` (filter) → `aggregate` by key → sink, on the `SyncEngine`. The stage names
/// match `MacroPipeline`'s, so `MacroPipeline.check` verifies both the same way.
struct StageEventPipeline: Sendable {
    typealias Aggregate = MacroPipeline.Aggregate

    /// Frame and parse in one stage and one pass (`.values(.newlineDelimited)`) instead of `.frames().values()`.
    var onePass = false

    /// Reads `key`, `type` and `payload.value` from an event document and weighs the value.
    /// - Throws: `MalformedEventError` when a field is missing (routed like any stage error).
    static func weigh(_ value: JSONValue) throws -> MacroPipeline.WeightedEvent {
        guard case .string(let key)? = value["key"], case .string(let type)? = value["type"],
            case .number(.int(let amount))? = value["payload"]?["value"]
        else { throw MalformedEventError(ordinal: -1) }
        return MacroPipeline.WeightedEvent(
            ordinal: 0, key: key, weighted: amount &* EventStreamGenerator.weight(ofType: type),
            isHeartbeat: type == EventStreamGenerator.droppedType)
    }

    /// Runs the pipeline over `stream` to the end on the calling thread. O(bytes).
    func run(_ stream: GeneratedEventStream) throws -> MacroPipeline.Outcome {
        switch stream.storage {
        case .memory(let bytes): try run(BufferByteSource(bytes, chunkSize: 64 << 10))
        case .file(let url): try run(FileByteSource(path: url.path, chunkSize: 64 << 10))
        }
    }

    private func run<Source: PipelineSource>(_ source: Source) throws -> MacroPipeline.Outcome
    where Source.Element == [UInt8] {
        let collector = OutputCollector<Aggregate>()
        let statistics: PipelineStatistics
        if onePass {
            let pipeline = Pipeline.source("bytes", source)
                .values(.newlineDelimited, name: "values")
                .map("weigh") { try Self.weigh($0) }
                .filter("drop-heartbeats") { !$0.isHeartbeat }
                .aggregate("aggregate", by: { $0.key }, initial: KeyTotals()) { totals, event in totals.add(event.weighted) }
                .sink("sink", collector)
            statistics = try SyncEngine(metrics: .disabled).run(pipeline)
        } else {
            let pipeline = Pipeline.source("bytes", source)
                .frames("frame", .newlineDelimited)
                .values("values")
                .map("weigh") { try Self.weigh($0) }
                .filter("drop-heartbeats") { !$0.isHeartbeat }
                .aggregate("aggregate", by: { $0.key }, initial: KeyTotals()) { totals, event in totals.add(event.weighted) }
                .sink("sink", collector)
            statistics = try SyncEngine(metrics: .disabled).run(pipeline)
        }
        return MacroPipeline.outcome(collector, statistics)
    }
}
