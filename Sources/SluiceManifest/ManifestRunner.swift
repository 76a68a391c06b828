import Sluice
import SluiceConnectors
import SluiceJSON
import SluiceState

/// What a manifest run did.
public struct RunSummary: Sendable {
    /// Source bytes read.
    public var bytesRead: Int
    /// Documents decoded.
    public var documentsDecoded: Int
    /// Documents written to the sink.
    public var documentsWritten: Int
    /// Documents sent to the dead-letter log (bad JSON, stage errors).
    public var documentsRejected: Int
    /// Whether the run stopped on a `StopSignal` before its input ended.
    public var wasStopped: Bool
    /// The framing error that cut the input short, if any.
    public var framingFailure: JSONParseError?
    /// The idle timeout that cut the input short (a source whose guard fails instead of dead-lettering), if any.
    public var timeoutFailure: FramingTimeoutError?
    /// The last checkpoint taken, if checkpoints are on.
    public var checkpoint: ManifestCheckpoint?
    /// Input bytes skipped because a checkpoint said they were done.
    public var resumedFrom: Int
    /// The engine's statistics (per stage counts, channels).
    public var statistics: PipelineStatistics
}

/// Runs a `CompiledPlan` on the engine its manifest names: opens the connectors, builds the `PipelineGraph`
/// (source → decode → segments → sink) and runs it.
///
/// `sluice run` and the `macro/run/filter-project` benchmark both go through `run(stop:)`.
public struct ManifestRunner: Sendable {
    /// The plan to run.
    public let plan: CompiledPlan
    /// The connectors to open endpoints with.
    public let connectors: ConnectorRegistry
    /// Live counters of the run.
    public let progress = RunProgress()

    /// Creates a runner.
    public init(plan: CompiledPlan, connectors: ConnectorRegistry = .standard) {
        self.plan = plan
        self.connectors = connectors
    }

    /// Runs the pipeline to the end of its input, or until `stop` fires.
    ///
    /// Suspends for the whole run under the concurrent engine; under the sync engine it runs on the calling
    /// thread. Backpressure: bounded channels between stages (concurrent) and the sink's writes.
    /// Cancellation: `stop` is the way to end a run in order (the stages drain, the output is made durable and
    /// acknowledged, Redis leases are given up). Cancelling the calling task cancels the concurrent engine's
    /// segments (their suspended channel operations throw, so `run` throws); the sync engine does not look at it.
    /// - Throws: `ManifestRunError` when an endpoint cannot be opened or the checkpoint folder cannot be used;
    ///   the source's or sink's error when one fails while running.
    public func run(stop: StopSignal = StopSignal()) async throws -> RunSummary {
        let manifest = plan.manifest
        let isResumable = !plan.segments.contains { if case .aggregate = $0.body { true } else if case .dedupe = $0.body { true } else { false } }
        var restored: ManifestCheckpoint?
        if let folder = manifest.checkpointFolder {
            let fileSystem = PosixFileSystem()
            if !fileSystem.directoryExists(at: folder) { try fileSystem.createDirectory(at: folder) }
            restored = try ManifestCheckpoint.load(from: folder)
            if restored?.complete == true {
                throw ManifestRunError(code: .checkpoint,
                    message: "the checkpoint in \(folder) records a finished run; remove the folder to run again")
            }
        }
        let resumeOffset = restored?.offset ?? 0

        let source = try open(manifest.source, as: .source) { connector, endpoint in try connector.openSource?(endpoint) }
        // A source whose entries are acknowledged once their output is durable (a Redis stream).
        let acknowledged = source.acknowledged
        let rejects: RejectLog
        let output: RecordOutput
        do {
            if acknowledged != nil && !isResumable {
                throw ManifestRunError(code: .source,
                    message: "\(manifest.source.uri) acknowledges each entry once its output is durable, so it runs stateless stages only (filter, project, rename, key, dead-letter); aggregate and dedupe hold documents until the input ends")
            }
            let deadLetterSink = try manifest.deadLetter.map { endpoint in
                try open(endpoint, as: .sink) { connector, endpoint in try connector.openSink?(endpoint) }
            }
            rejects = RejectLog(sink: deadLetterSink)
            output = try makeOutput(restored: restored, isResumable: isResumable, acknowledged: acknowledged, rejects: rejects)
        } catch {
            acknowledged?.close()
            throw error
        }
        let dropped = acknowledged != nil ? ByteCounter() : nil
        if let acknowledged, let dropped {
            acknowledged.setPipelineDrainedCheck { [durable = output.durable] delivered in
                delivered == durable.value + dropped.value + rejects.count
            }
        }

        var graph = PipelineGraph(name: manifest.name)
        graph.deadLetterPolicy = DeadLetterPolicy(sink: rejects, ratePerSecond: 1e12, burst: Int(Int32.max))
        let controlled = ControlledSource(base: source, stop: stop, skip: resumeOffset, counter: progress.bytesRead)
        graph.addSource("source", controlled)
        // An aggregate can reject a document after decoding (a field that is not a number, a bad event time), and a
        // dead letter must hold the document as read, not the fields the stages needed: with a dead-letter sink and
        // an aggregate, the decoder keeps whole documents.
        let rejectsAfterDecoding = manifest.deadLetter != nil
            && plan.segments.contains { if case .aggregate = $0.body { true } else { false } }
        graph.addStage("decode", DecodeOperator(framing: manifest.framing, entries: source.isLengthPrefixed, rejects: rejects,
            decoded: progress.documentsDecoded, base: resumeOffset,
            fields: rejectsAfterDecoding ? nil : FieldTree.needed(by: plan.segments),
            idleTimeout: controlled.framingIdleTimeout, stop: stop))
        var previous = "source"
        graph.connect(previous, to: "decode")
        previous = "decode"
        for segment in plan.segments {
            switch segment.body {
            case .decode: continue
            case .fused(let steps): graph.addStage(segment.name, FusedStepsOperator(steps: steps, dropped: dropped))
            case .aggregate(let keyName, let fields, let window?):
                previous = WindowedAggregate.add(
                    to: &graph, after: previous, name: segment.name, keyName: keyName, fields: fields, window: window)
                continue
            case .aggregate(let keyName, let fields, nil):
                graph.addStage(segment.name, AggregateOperator(stageName: segment.name, keyName: keyName, fields: fields))
            case .dedupe(let path): graph.addStage(segment.name, DedupeOperator(path: path))
            }
            graph.connect(previous, to: segment.name)
            previous = segment.name
        }
        graph.addSink("sink", RecordSink(output: output, written: progress.documentsWritten))
        graph.connect(previous, to: "sink")

        let statistics: PipelineStatistics
        do {
            switch manifest.engine {
            case .sync:
                statistics = try SyncEngine(batchSize: manifest.batchSize, metrics: .disabled).run(graph)
            case .concurrent:
                statistics = try await ConcurrentEngine(
                    batchSize: manifest.batchSize, channelCapacity: manifest.channelCapacity, metrics: .disabled
                ).run(graph)
            }
        } catch {
            try? output.close(complete: false, drained: false)
            try? rejects.close()
            if let error = error as? ByteSourceError {
                throw ManifestRunError(code: .source, message: "cannot read \(manifest.source.uri)", cause: "\(error)")
            }
            throw error
        }
        let drained = rejects.framingFailure == nil && rejects.timeoutFailure == nil
        let complete = !stop.isStopped && drained
        try output.close(complete: complete, drained: drained)
        try rejects.close()
        return RunSummary(
            bytesRead: progress.bytesRead.value, documentsDecoded: progress.documentsDecoded.value,
            documentsWritten: progress.documentsWritten.value, documentsRejected: rejects.count,
            wasStopped: stop.isStopped, framingFailure: rejects.framingFailure, timeoutFailure: rejects.timeoutFailure,
            checkpoint: output.checkpoint,
            resumedFrom: resumeOffset, statistics: statistics)
    }

    private func open<Opened>(
        _ endpoint: PipelineManifest.Endpoint, as role: ConnectorRole,
        _ body: (Connector, ConnectorEndpoint) throws -> Opened?
    ) throws -> Opened {
        let code: ManifestRunError.Code = role == .source ? .source : .sink
        do {
            let (connector, resolved) = try connectors.resolve(endpoint.uri, options: endpoint.options, as: role)
            // `resolve` checked that the connector supports `role`, so the opener exists.
            guard let opened = try body(connector, resolved) else {
                throw ManifestRunError(code: code, message: "\(endpoint.uri) cannot be a \(role.rawValue)")
            }
            return opened
        } catch let error as ManifestRunError {
            throw error
        } catch {
            throw ManifestRunError(code: code, message: "cannot open \(role.rawValue) \(endpoint.uri)", cause: "\(error)")
        }
    }

    private func makeOutput(
        restored: ManifestCheckpoint?, isResumable: Bool, acknowledged: (any AcknowledgedSource)?, rejects: RejectLog
    ) throws -> RecordOutput {
        let manifest = plan.manifest
        guard let folder = manifest.checkpointFolder else {
            let sink = try open(manifest.sink, as: .sink) { connector, endpoint in try connector.openSink?(endpoint) }
            return RecordOutput(plain: sink, acknowledged: acknowledged, beforeAcknowledging: { try rejects.flush() })
        }
        // The reader checked that checkpointed runs have a file: sink.
        let (_, endpoint) = try connectors.resolve(manifest.sink.uri, options: manifest.sink.options, as: .sink)
        let fileSystem = PosixFileSystem()
        let sink: any CheckpointedSink
        switch manifest.delivery {
        case .atLeastOnce:
            if restored == nil && fileSystem.itemExists(at: endpoint.target) { try fileSystem.removeItem(at: endpoint.target) }
            sink = AppendFileSink(path: endpoint.target, fileSystem: fileSystem)
        case .exactlyOnce:
            if !fileSystem.directoryExists(at: endpoint.target) { try fileSystem.createDirectory(at: endpoint.target) }
            sink = TwoPhaseCommitFileSink(directory: endpoint.target, fileSystem: fileSystem)
        }
        do {
            return RecordOutput(checkpointed: try CheckpointCoordinator(
                sink: sink, folder: folder, fileSystem: fileSystem, every: manifest.checkpointEvery,
                isResumable: isResumable, restored: restored))
        } catch {
            throw ManifestRunError(code: .checkpoint, message: "cannot recover the sink from the checkpoint in \(folder)",
                cause: "\(error)")
        }
    }
}
