import Sluice
import Testing

@Suite struct BarrierAlignerTests {
    static func delivered(_ actions: [BarrierAligner<String>.Action]) -> [String] {
        actions.map { action in
            switch action {
            case .deliver(let record, let input): "\(record)@\(input)"
            case .snapshot(let barrier): "snapshot \(barrier.id)"
            }
        }
    }

    @Test func blocksAnInputAfterItsBarrierUntilEveryInputHasOne() {
        var aligner = BarrierAligner<String>(inputCount: 2)
        #expect(Self.delivered(aligner.record("a1", input: 0)) == ["a1@0"])
        #expect(Self.delivered(aligner.barrier(CheckpointBarrier(id: 1), input: 0)).isEmpty)
        #expect(aligner.isBlocked(0) && !aligner.isBlocked(1))
        #expect(Self.delivered(aligner.record("a2", input: 0)).isEmpty, "after its barrier, input 0 is held")
        #expect(Self.delivered(aligner.record("b1", input: 1)) == ["b1@1"], "input 1 still flows")
        #expect(aligner.bufferedCount == 1)
        #expect(Self.delivered(aligner.barrier(CheckpointBarrier(id: 1), input: 1)) == ["snapshot 1", "a2@0"])
        #expect(!aligner.isBlocked(0) && aligner.bufferedCount == 0)
        #expect(Self.delivered(aligner.record("a3", input: 0)) == ["a3@0"])
    }

    @Test func singleInputSnapshotsAtOnce() {
        var aligner = BarrierAligner<Int>(inputCount: 1)
        let actions = aligner.barrier(CheckpointBarrier(id: 4), input: 0)
        guard case .snapshot(let barrier) = actions.first else {
            Issue.record("expected a snapshot")
            return
        }
        #expect(barrier.id == 4 && actions.count == 1)
    }

    @Test func aBlockedInputHoldsItsLaterBarriersTooAndReplaysThemInOrder() {
        var aligner = BarrierAligner<String>(inputCount: 2)
        _ = aligner.barrier(CheckpointBarrier(id: 1), input: 0)
        #expect(Self.delivered(aligner.record("a1", input: 0)).isEmpty)
        #expect(Self.delivered(aligner.barrier(CheckpointBarrier(id: 2), input: 0)).isEmpty, "held, not an error")
        #expect(Self.delivered(aligner.record("a2", input: 0)).isEmpty)
        #expect(aligner.bufferedCount == 3)
        // Barrier 1 aligns; replaying input 0 blocks it again at barrier 2, so a2 stays held.
        #expect(Self.delivered(aligner.barrier(CheckpointBarrier(id: 1), input: 1)) == ["snapshot 1", "a1@0"])
        #expect(aligner.isBlocked(0) && aligner.pendingBarrier?.id == 2 && aligner.bufferedCount == 1)
        #expect(Self.delivered(aligner.record("b1", input: 1)) == ["b1@1"])
        #expect(Self.delivered(aligner.barrier(CheckpointBarrier(id: 2), input: 1)) == ["snapshot 2", "a2@0"])
        #expect(aligner.bufferedCount == 0 && !aligner.isBlocked(0) && !aligner.isBlocked(1))
    }

    @Test func aFinishedInputCountsAsAligned() {
        var aligner = BarrierAligner<String>(inputCount: 3)
        _ = aligner.barrier(CheckpointBarrier(id: 1), input: 0)
        _ = aligner.barrier(CheckpointBarrier(id: 1), input: 1)
        #expect(Self.delivered(aligner.record("a1", input: 0)).isEmpty)
        // Input 2 ends without barrier 1: everything it delivered precedes barrier 1 everywhere.
        #expect(Self.delivered(aligner.inputFinished(2)) == ["snapshot 1", "a1@0"])
        // Later barriers align on the inputs still open.
        #expect(Self.delivered(aligner.barrier(CheckpointBarrier(id: 2), input: 1)).isEmpty)
        #expect(Self.delivered(aligner.barrier(CheckpointBarrier(id: 2), input: 0)) == ["snapshot 2"])
    }

    @Test func finishingEveryInputReleasesWhatWasHeldAndAlignsItsBarriers() {
        var aligner = BarrierAligner<String>(inputCount: 2)
        _ = aligner.barrier(CheckpointBarrier(id: 1), input: 0)
        _ = aligner.record("a1", input: 0)
        _ = aligner.barrier(CheckpointBarrier(id: 2), input: 0)
        _ = aligner.record("a2", input: 0)
        #expect(Self.delivered(aligner.inputFinished(0)).isEmpty, "input 1 is still open")
        #expect(
            Self.delivered(aligner.inputFinished(1)) == ["snapshot 1", "a1@0", "snapshot 2", "a2@0"],
            "held events of a finished input are replayed, and its held barriers align")
        #expect(aligner.bufferedCount == 0)
    }
}
