import Sluice
import SluiceState
import SluiceTestKit
import Synchronization
import Testing

/// Checkpoints of a parallel keyed stage per key group (`KeyedStateCheckpoints`, `KeyGroupSnapshotCoding`): the
/// snapshot at a barrier holds exactly the state of the records before it, and a run restored from its bytes on a
/// different number of workers (or on `SyncEngine`) continues exactly where the checkpoint left off.
@Suite struct KeyedParallelCheckpointTests {
    struct Event: Sendable, Hashable {
        var sequence: Int
        var key: String
        var value: Int64
    }

    /// A running sum per key, emitted per record: a lost, repeated or misplaced state shows in every later line.
    struct Line: Sendable, Hashable {
        var sequence: Int
        var key: String
        var sum: Int64
    }

    static let seed: UInt64 = 0x6B67
    static let barrierEvery = 400
    static let keyGroups = KeyGroups(count: 1_024)

    static let events: [Event] = {
        var random = SeededRandomNumberGenerator(seed: seed)
        return (0..<3_000).map { sequence in
            Event(
                sequence: sequence, key: "k\(Int.random(in: 0..<150, using: &random))",
                value: Int64.random(in: 1...1_000, using: &random))
        }
    }()

    /// The events with barrier k after record k × 400 − 1, from record `start` on (barriers before it dropped).
    static func stream(from start: Int = 0) -> [StreamElement<Event>] {
        var elements: [StreamElement<Event>] = []
        for event in events[start...] {
            elements.append(.record(event))
            if (event.sequence + 1) % barrierEvery == 0 {
                elements.append(.barrier(CheckpointBarrier(id: UInt64((event.sequence + 1) / barrierEvery))))
            }
        }
        return elements
    }

    static var operation: KeyedOperation<StreamElement<Event>, String, Int64, StreamElement<Line>> {
        KeyedOperation<Event, String, Int64, Line>.process(by: { $0.key }, initial: 0) { sum, event, emit in
            sum += event.value
            emit(Line(sequence: event.sequence, key: event.key, sum: sum))
        }.carryingBarriers()
    }

    enum Engine: Sendable, CustomStringConvertible {
        case sync
        case concurrent(workers: Int, rescales: [Int]?)
        var description: String {
            switch self {
            case .sync: "sync"
            case .concurrent(let workers, let rescales): "concurrent \(workers) workers, rescales \(rescales ?? [])"
            }
        }
    }

    /// Runs the stage over `elements`, restored from `restoring`; returns the output and each barrier's snapshot
    /// as bytes.
    static func run(
        _ elements: [StreamElement<Event>], on engine: Engine, restoring: [UInt8]? = nil
    ) async throws -> (output: [StreamElement<Line>], snapshots: [UInt64: [UInt8]]) {
        let snapshots = Mutex<[UInt64: [UInt8]]>([:])
        let restored = try restoring.map {
            try KeyGroupSnapshotCoding.decode($0, keyGroups: keyGroups, as: (String.self, Int64.self))
        }
        let checkpoints = KeyedStateCheckpoints<String, Int64>(restoring: restored ?? [:]) { barrier, groups in
            let bytes = KeyGroupSnapshotCoding.encode(groups, keyGroups: keyGroups)
            snapshots.withLock { $0[barrier.id] = bytes }
        }
        var parallelism = KeyedParallelism(workers: 1, keyGroups: keyGroups, window: 300)
        if case .concurrent(let workers, let rescales) = engine {
            parallelism.workers = workers
            parallelism._rescaleSchedule = rescales
        }
        let collector = OutputCollector<StreamElement<Line>>()
        let pipeline = Pipeline.source(elements).parallel("sum", operation, parallelism, checkpoints: checkpoints)
            .sink(CollectingSink(collector))
        switch engine {
        case .sync: _ = try SyncEngine(batchSize: 64).run(pipeline)
        case .concurrent: _ = try await ConcurrentEngine(batchSize: 64, channelCapacity: 128).run(pipeline)
        }
        return (collector.elements, snapshots.withLock { $0 })
    }

    static func lines(_ output: [StreamElement<Line>]) -> [Line] {
        output.compactMap { if case .record(let line) = $0 { line } else { nil } }.sorted { $0.sequence < $1.sequence }
    }

    @Test(arguments: [
        Engine.sync, .concurrent(workers: 3, rescales: nil), .concurrent(workers: 2, rescales: [2, 4, 1, 3]),
    ])
    func barriersSplitTheOutputAndSnapshotsHoldExactlyTheRecordsBefore(_ engine: Engine) async throws {
        let run = try await Self.run(Self.stream(), on: engine)
        let context = "seed \(Self.seed), \(engine)"
        // Every output of a record before barrier k comes before it, every later one after it.
        var barriersSeen = 0
        for element in run.output {
            switch element {
            case .barrier(let barrier):
                barriersSeen += 1
                #expect(barrier.id == UInt64(barriersSeen), "\(context)")
            case .record(let line):
                #expect(line.sequence / Self.barrierEvery == barriersSeen, "\(context): line \(line.sequence)")
            }
        }
        #expect(barriersSeen == 7 && Self.lines(run.output).count == Self.events.count, "\(context)")
        // Snapshot k is the sums of the records before barrier k, each key in its own key group.
        for id in UInt64(1)...7 {
            let bytes = try #require(run.snapshots[id], "\(context): no snapshot \(id)")
            let groups = try KeyGroupSnapshotCoding.decode(bytes, keyGroups: Self.keyGroups, as: (String.self, Int64.self))
            var sums: [String: Int64] = [:]
            for (group, state) in groups {
                for (key, sum) in zip(state.keys, state.states) {
                    #expect(Self.keyGroups.group(for: key) == group, "\(context)")
                    sums[key] = sum
                }
            }
            var expected: [String: Int64] = [:]
            for event in Self.events.prefix(Int(id) * Self.barrierEvery) { expected[event.key, default: 0] += event.value }
            #expect(sums == expected, "\(context): snapshot \(id)")
        }
    }

    /// Restore checkpoint 3, taken on 3 workers that rescaled meanwhile, on 1, 2 and 5 workers and on `SyncEngine`:
    /// the key groups go to their new owners with their state, and the output from there on is the uninterrupted
    /// run's.
    @Test(arguments: [
        Engine.sync, .concurrent(workers: 1, rescales: nil), .concurrent(workers: 2, rescales: nil),
        .concurrent(workers: 5, rescales: [5, 2, 6]),
    ])
    func aRestoredRunOnAnotherWorkerCountContinuesExactly(_ engine: Engine) async throws {
        let uninterrupted = try await Self.run(Self.stream(), on: .concurrent(workers: 3, rescales: [3, 4, 2]))
        let checkpoint = try #require(uninterrupted.snapshots[3])
        let start = 3 * Self.barrierEvery
        let restored = try await Self.run(Self.stream(from: start), on: engine, restoring: checkpoint)
        let expected = Self.lines(uninterrupted.output).filter { $0.sequence >= start }
        #expect(Self.lines(restored.output) == expected, "seed \(Self.seed), restored on \(engine)")
        // Its own later snapshots equal the uninterrupted run's, byte for byte.
        for id in UInt64(4)...7 {
            #expect(restored.snapshots[id] == uninterrupted.snapshots[id], "seed \(Self.seed), \(engine): snapshot \(id)")
        }
    }

    @Test func damagedOrForeignSnapshotsAreRefused() async throws {
        let run = try await Self.run(Self.stream(), on: .sync)
        var bytes = try #require(run.snapshots[2])
        #expect(throws: StateError.self) {
            try KeyGroupSnapshotCoding.decode(bytes, keyGroups: KeyGroups(count: 512), as: (String.self, Int64.self))
        }
        bytes[bytes.count / 2] ^= 0x01
        let error = #expect(throws: StateError.self) {
            try KeyGroupSnapshotCoding.decode(bytes, keyGroups: Self.keyGroups, as: (String.self, Int64.self))
        }
        #expect(error?.code == .corruptSnapshot)
    }

    /// The keyed stage inside `EngineCheckpointSession`'s checkpoints: source → parallel keyed tally (per key group)
    /// → count → two-phase-commit sink. A run on 3 workers that crashes is restored on another worker count (or on
    /// `SyncEngine`); the committed output, the count stage's state and the tally's key groups in the last
    /// checkpoint equal an uninterrupted run's.
    @Test(arguments: [Engine.sync, .concurrent(workers: 1, rescales: nil), .concurrent(workers: 5, rescales: [5, 2])])
    func aSessionCheckpointsTheKeyedStagePerKeyGroupAndRestoresItOnAnotherWorkerCount(_ restoredOn: Engine)
        async throws
    {
        let input = PipelineFixtures.input(count: 600, keys: 37, seed: Self.seed)
        func sessionRun(
            _ folder: TemporaryDirectory, on engine: Engine, crashAfter: Int? = nil
        ) async throws -> [String] {
            let stage = CountStage(state: InMemoryStateBackend<Int64>())
            var sink: any CheckpointedSink = TwoPhaseCommitFileSink(directory: folder.file("out"))
            if let crashAfter { sink = CrashingSink(sink, crashAfter: crashAfter) }
            let session = EngineCheckpointSession(
                source: NDJSONFileSource(bytes: input), stage: stage, sink: sink,
                checkpoints: CheckpointConfiguration(
                    catalog: try CheckpointCatalog(directory: folder.file("ck")), policy: .everyRecords(50)))
            try session.recover()
            let keyed = try session.makeKeyedCheckpoints(
                stage: "tally", keyGroups: Self.keyGroups, as: (String.self, Int64.self))
            let tally = KeyedOperation<SourceRecord, String, Int64, SourceRecord>.process(
                by: { String(decoding: $0.bytes, as: UTF8.self) }, initial: 0
            ) { count, record, emit in
                count += 1
                emit(record)
            }.carryingBarriers()
            var parallelism = KeyedParallelism(workers: 1, keyGroups: Self.keyGroups, window: 128)
            if case .concurrent(let workers, let rescales) = engine {
                parallelism.workers = workers
                parallelism._rescaleSchedule = rescales
            }
            let pipeline = Pipeline.source(session.makeSource()).parallel("tally", tally, parallelism, checkpoints: keyed)
                .stage("count", session.makeOperator()).sink(session.makeSink())
            do {
                switch engine {
                case .sync: _ = try SyncEngine(batchSize: 32).run(pipeline)
                case .concurrent: _ = try await ConcurrentEngine(batchSize: 32, channelCapacity: 64).run(pipeline)
                }
            } catch {
                session.waitUntilCheckpointsAreDurable()
                throw error
            }
            return try PipelineFixtures.stateLines(stage.state)
        }
        func committedLines(_ folder: TemporaryDirectory) throws -> [String] {
            try TwoPhaseCommitFileSink.readCommittedOutput(directory: folder.file("out"))
                .split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }.sorted()
        }
        func tallies(_ folder: TemporaryDirectory) throws -> [String: Int64] {
            let (image, _) = try CheckpointCatalog(directory: folder.file("ck"), mode: .mustExist).recover()
            let blob = try #require(image?.stages["tally"])
            var counts: [String: Int64] = [:]
            for (_, group) in try KeyGroupSnapshotCoding.decode(blob, keyGroups: Self.keyGroups, as: (String.self, Int64.self)) {
                for (key, count) in zip(group.keys, group.states) { counts[key] = count }
            }
            return counts
        }
        let reference = TemporaryDirectory()
        defer { reference.remove() }
        let referenceState = try await sessionRun(reference, on: .sync)
        var expected: [String: Int64] = [:]
        for line in input.split(separator: UInt8(ascii: "\n")) { expected[String(decoding: line, as: UTF8.self), default: 0] += 1 }
        #expect(try tallies(reference) == expected)

        for crashAfter in [40, 333] {
            let folder = TemporaryDirectory()
            defer { folder.remove() }
            await #expect(throws: CrashingSink.Crash.self) {
                _ = try await sessionRun(folder, on: .concurrent(workers: 3, rescales: [3, 2, 4]), crashAfter: crashAfter)
            }
            let state = try await sessionRun(folder, on: restoredOn)
            let context = "seed \(Self.seed), crash after \(crashAfter), restored on \(restoredOn)"
            #expect(state == referenceState, "\(context)")
            #expect(try committedLines(folder) == (try committedLines(reference)), "\(context)")
            #expect(try tallies(folder) == expected, "\(context)")
        }
    }
}
