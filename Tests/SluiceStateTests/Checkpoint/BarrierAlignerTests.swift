import SluiceState
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
}
