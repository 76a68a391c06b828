/// A manifest compiled for an engine: the segments that become graph stages (adjacent pure operators fused into
/// one), and the channels between them. `description` is what `sluice run --dry-run` prints.
public struct CompiledPlan: Sendable {
    /// One graph stage of the compiled pipeline.
    public struct Segment: Sendable {
        /// What runs in the segment.
        enum Body: Sendable {
            case decode
            case fused([RecordStep])
            case aggregate(keyName: String, fields: [AggregateField], window: WindowSpec?)
            case dedupe(FieldPath?)
        }

        /// The graph stage's name: the manifest stage's name, or the fused names joined by `+`.
        public var name: String
        /// The manifest stages in it, as `'name' (operator)`.
        public var stages: [String]
        var body: Body
        /// Why the segment is cut where it is.
        public var reason: String

        /// The graph stages the segment becomes: its name, or for a windowed aggregate its watermark, window and
        /// result stages.
        public var graphStages: [String] {
            if case .aggregate(_, _, _?) = body { return WindowedAggregate.stageNames(name) }
            return [name]
        }
    }

    /// The manifest the plan was compiled from.
    public var manifest: PipelineManifest
    /// Segments in order, after the source and before the sink.
    public var segments: [Segment]

    /// The channels the engine puts between graph stages: none for `sync` (batches are handed on in the same
    /// loop), one before every stage but the source for `concurrent`.
    public var channels: [(from: String, to: String, capacity: Int)] {
        guard manifest.engine == .concurrent else { return [] }
        let names = ["source"] + segments.flatMap(\.graphStages) + ["sink"]
        return zip(names, names.dropFirst()).map { ($0, $1, manifest.channelCapacity) }
    }

    /// The plan as text, for `--dry-run`.
    public var description: String {
        var lines: [String] = []
        lines.append("pipeline \(manifest.name) (\(manifest.file))")
        lines.append("  engine: \(manifest.engine.rawValue), batch size \(manifest.batchSize)"
            + (manifest.engine == .concurrent ? ", channel capacity \(manifest.channelCapacity)" : ""))
        let checkpoint = manifest.checkpointFolder.map { "checkpoints in \($0) every \(manifest.checkpointEvery) documents" }
            ?? "no checkpoints"
        lines.append("  delivery: \(manifest.delivery.rawValue), \(checkpoint)")
        // A Redis stream source frames its entries itself: one document per entry, whatever `framing` says.
        let entries = manifest.source.uri.lowercased().hasPrefix("redis:")
        lines.append("  source: \(manifest.source.uri) (" + (entries ? "one document per stream entry" : "framing \(manifest.framing)") + ")")
        lines.append("  stages:")
        for (index, segment) in segments.enumerated() {
            lines.append("    \(index + 1). \(segment.name): \(segment.stages.joined(separator: " + "))")
            lines.append("       fusion: \(segment.reason)")
        }
        lines.append("  sink: \(manifest.sink.uri) (one compact JSON document per line)")
        lines.append("  dead letters: \(manifest.deadLetter?.uri ?? "counted, not written (no dead-letter stage)")")
        let channels = self.channels
        if channels.isEmpty {
            lines.append("  channels: none (the sync engine hands each batch down the stages in one loop)")
        } else {
            lines.append("  channels (bounded, waiting when full):")
            for channel in channels {
                lines.append("    \(channel.from) -> \(channel.to): capacity \(channel.capacity)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
