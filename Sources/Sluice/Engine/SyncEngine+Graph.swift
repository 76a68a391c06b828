extension SyncEngine {
    /// Runs a validated `PipelineGraph` on the calling thread.
    ///
    /// Sources are read in turn, one batch each (in the order they were added), and each batch is pushed through
    /// the graph depth-first before the next is read, so the order of everything is deterministic. At the end the
    /// stages finish in topological order. A merge of `StreamElement`s aligns checkpoint barriers
    /// (`BarrierAligner`): an input that delivered barrier N has its later elements held in memory until barrier N
    /// arrived on every input (this engine pushes, so it cannot stop one input), then forwards barrier N once.
    /// Complexity: O(elements × stages).
    /// - Throws: `PipelineError` if the graph is invalid (before anything runs), or the error of a source or sink.
    public func run(_ graph: PipelineGraph) throws -> PipelineStatistics {
        let wiring = try graph.wiring()
        let router = DeadLetterRouter(policy: graph.deadLetterPolicy)
        let runners = graph.nodes.enumerated().map { $1.makeRunner(index: $0) }
        for index in runners.indices {
            (runners[index] as? any FanInRunning)?.prepare(inputCount: wiring.predecessors[index].count)
        }
        let start = clock.nowNanoseconds()
        for index in wiring.order { runners[index].start() }
        defer { for index in wiring.order.reversed() { runners[index].stop() } }

        func deliver(_ outputs: [Any?], from index: Int) throws {
            let successors = wiring.successors[index]
            for (position, output) in outputs.enumerated() where position < successors.count {
                guard let output else { continue }
                let next = successors[position]
                // Validation rejects repeated edges, so `index` is exactly one of `next`'s predecessors.
                let input = wiring.predecessors[next].firstIndex(of: index) ?? 0
                try deliver(
                    runners[next].process(output, input: input, router, successorCount: wiring.successors[next].count),
                    from: next)
            }
        }

        var active = wiring.order.filter { graph.nodes[$0].kind == .source }
        while !active.isEmpty {
            var stillActive: [Int] = []
            for index in active {
                // Only source nodes make `SourceGraphRunner`s (checked by the filter above).
                guard let source = runners[index] as? any SourceBatchReading else { continue }
                let (batch, hasMore) = try source.readBoxed(maxCount: batchSize)
                if let batch { try deliver([batch], from: index) }
                if hasMore { stillActive.append(index) }
            }
            active = stillActive
        }
        for index in wiring.order where graph.nodes[index].kind != .source {
            try deliver(runners[index].finish(router, successorCount: wiring.successors[index].count), from: index)
        }
        router.deliverSummary()
        let statistics = PipelineStatistics(
            pipelineName: graph.name, engine: "sync", fusion: .disabled, stages: runners.map(\.statistics),
            deadLetters: router.summary, activeWorkers: 1, elapsedNanoseconds: clock.nowNanoseconds() &- start)
        metrics.makeReporter(pipelineName: graph.name)?.flush(statistics)
        return statistics
    }
}

/// A graph source read without knowing its element type.
protocol SourceBatchReading {
    /// The next batch boxed as `Any` (`nil` when empty), and whether more may follow.
    func readBoxed(maxCount: Int) throws -> (Any?, Bool)
}

extension SourceGraphRunner: SourceBatchReading {
    func readBoxed(maxCount: Int) throws -> (Any?, Bool) {
        let (batch, hasMore) = try read(maxCount: maxCount)
        return (batch.isEmpty ? nil : batch, hasMore)
    }
}
