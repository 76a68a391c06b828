// PLACEHOLDER until the channel lands on main (replaced before commit).
public struct _BatchReceiver<Element: Sendable>: Sendable {}
public final class _ConcurrentSpawnContext: Sendable {
    @usableFromInline
    func spawnSegment<C: StageChain>(_ chain: C, input: _BatchReceiver<C.Input>) -> _BatchReceiver<C.Output> {
        fatalError()
    }
}
