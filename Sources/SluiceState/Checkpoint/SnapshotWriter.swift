import Sluice
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Metrics
import Synchronization

/// Persists captured checkpoints on a background queue, in order, so the pipeline does not stop for them.
///
/// For each checkpoint: make the sink's epoch durable, write incremental state snapshots (when configured),
/// serialize the captured state, commit the file to the
/// catalog (atomic, `fsync`ed), append the replay journal, then publish the sink's epoch. The time from the
/// start of that work to its end is `snapshot_duration_ms`. The first failure stops the writer: later
/// checkpoints are dropped, not committed, and `failure` reports the error; what was durable stays intact.
final class SnapshotWriter: Sendable {
    struct Completion: Sendable {
        var id: UInt64
        var durationNanoseconds: UInt64
        var cpuNanoseconds: UInt64
        var byteCount: Int
    }

    struct State {
        var inFlight = 0
        var completed: [Completion] = []
        var failure: (any Error)?
    }

    private let queue = DispatchQueue(label: "sluice.checkpoint-writer")
    private let state = Mutex(State())
    private let catalog: CheckpointCatalog
    private let journal: JournalBox?
    private let clock: any MonotonicClock
    private let durationRecorder = Recorder(label: "snapshot_duration_ms")

    init(catalog: CheckpointCatalog, journal: ReplayJournal?, clock: any MonotonicClock) {
        self.catalog = catalog
        self.journal = journal.map(JournalBox.init)
        self.clock = clock
    }

    /// Checkpoints submitted and not yet finished.
    var inFlight: Int { state.withLock { $0.inFlight } }

    /// The first error, if any checkpoint failed.
    var failure: (any Error)? { state.withLock { $0.failure } }

    /// Takes the completions recorded since the last call.
    func takeCompletions() -> [Completion] {
        state.withLock { state in
            defer { state.completed.removeAll() }
            return state.completed
        }
    }

    /// Queues `capture` for persistence; returns at once.
    func submit(_ capture: CheckpointCapture, sinkCommit: SinkEpochCommit) {
        state.withLock { $0.inFlight += 1 }
        queue.async { [self] in
            defer { state.withLock { $0.inFlight -= 1 } }
            if state.withLock({ $0.failure != nil }) { return }
            let start = clock.nowNanoseconds()
            let cpuStart = Self.threadCPUNanoseconds()
            do {
                try sinkCommit.makeDurable()
                // Incremental state first: the checkpoint file that references it commits only once it is durable.
                var incrementalBytes = 0
                for stage in capture.incrementalStages { incrementalBytes += try stage.write(capture.id) }
                let bytes = try CheckpointFile.encode(capture)
                try catalog.commit(bytes, id: capture.id, parentID: capture.parentID)
                try journal?.journal.append(checkpointID: capture.id, positions: capture.sources)
                try sinkCommit.commit()
                let duration = clock.nowNanoseconds() &- start
                durationRecorder.record(Double(duration) / 1e6)
                state.withLock {
                    $0.completed.append(
                        Completion(
                            id: capture.id, durationNanoseconds: duration,
                            cpuNanoseconds: Self.threadCPUNanoseconds() &- cpuStart,
                            byteCount: bytes.count + incrementalBytes))
                }
            } catch {
                state.withLock { $0.failure = error }
            }
        }
    }

    /// CPU time the calling thread has used, in nanoseconds.
    static func threadCPUNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Blocks the caller until every submitted checkpoint is finished.
    func waitUntilIdle() { queue.sync {} }
}

/// The replay journal, handed to the writer queue.
// @unchecked Sendable: after the pipeline's recovery, only the writer's serial queue touches the journal.
final class JournalBox: @unchecked Sendable {
    let journal: ReplayJournal
    init(_ journal: ReplayJournal) { self.journal = journal }
}
