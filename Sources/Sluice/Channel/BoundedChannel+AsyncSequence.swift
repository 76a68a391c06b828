extension BoundedChannel: AsyncSequence {
    /// Iterates the channel one element at a time (see ``BoundedChannel/receive()``).
    ///
    /// The iteration suspends while the channel is empty, ends after ``BoundedChannel/finish()`` once drained,
    /// throws the error given to ``BoundedChannel/fail(_:)``, and ends (returns `nil`) when the iterating task
    /// is cancelled while waiting. Several iterators may run at once; each element goes to one of them.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: BoundedChannel<Element>

        /// The next element, or `nil` at the end or on cancellation.
        public mutating func next() async throws -> Element? {
            do {
                return try await channel.receive()
            } catch is CancellationError {
                return nil
            }
        }
    }

    /// Makes an iterator that receives from this channel.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(channel: self)
    }
}
