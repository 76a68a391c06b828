/// The innermost loop of a wholly fused single-output chain.
///
/// It appends through `Array.append(contentsOf:)` with a sequence that runs the chain element by element: the
/// array writes straight into its spare capacity (reserved once, kept across batches), so the loop has no
/// per-element uniqueness check, no closure and, after specialization, no call.
public enum _FusedBatch {
    /// Runs every element of `input` through `chain`, appending the outputs to `output`.
    @inlinable
    public static func append<Chain: StageChain>(
        _ chain: inout Chain, _ input: [Chain.Input], _ router: DeadLetterRouter, into output: inout [Chain.Output]
    ) {
        withUnsafeMutablePointer(to: &chain) { chain in
            output.append(contentsOf: Outputs(chain: chain, input: input, router: router))
        }
    }

    /// The chain's outputs for one batch, computed as they are iterated. Valid only inside `append`.
    @usableFromInline
    struct Outputs<Chain: StageChain>: Sequence, IteratorProtocol {
        @usableFromInline let chain: UnsafeMutablePointer<Chain>
        @usableFromInline let input: [Chain.Input]
        @usableFromInline let router: DeadLetterRouter
        @usableFromInline var index = 0

        @inlinable
        init(chain: UnsafeMutablePointer<Chain>, input: [Chain.Input], router: DeadLetterRouter) {
            self.chain = chain
            self.input = input
            self.router = router
        }

        @inlinable
        var underestimatedCount: Int { 0 }

        /// The loop itself: writes outputs straight into the array's spare capacity until it is full or the
        /// input is exhausted; `Array.append(contentsOf:)` then continues with `next()` for any remainder.
        @inlinable
        __consuming func _copyContents(
            initializing buffer: UnsafeMutableBufferPointer<Chain.Output>
        ) -> (Outputs, Int) {
            var remaining = self
            guard var target = buffer.baseAddress else { return (remaining, 0) }
            let end = target + buffer.count
            var position = index
            let count = input.count
            input.withUnsafeBufferPointer { elements in
                while position < count && target < end {
                    if let output = chain.pointee._applyOne(elements[position], router) {
                        target.initialize(to: output)
                        target += 1
                    }
                    position &+= 1
                }
            }
            remaining.index = position
            return (remaining, buffer.baseAddress.map { target - $0 } ?? 0)
        }

        @inlinable
        mutating func next() -> Chain.Output? {
            while index < input.count {
                let element = input[index]
                index &+= 1
                if let output = chain.pointee._applyOne(element, router) { return output }
            }
            return nil
        }
    }
}
