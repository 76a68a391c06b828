import Sluice

/// The window stage: consumes an event-time stream (elements and watermarks, see `.watermarks(...)`) and
/// emits one `WindowResult` per window firing. Append it with `PipelineBuilder.window(...)`.
///
/// Synchronous and stateful: it never suspends; a watermark fires every window it closes before the stage
/// returns, in timer order (time, then key in first-seen order, then window). At the end of input the
/// watermark moves to the end of time, so every window fires as its trigger says and all state is dropped.
/// Elements refused (late beyond the allowed lateness, or by the late event guard) go to the configured
/// `LateElementPolicy`. Each run starts from empty state, which the stage owns alone (no lock; see
/// `PipelineGraph.addPartitionedWindow(...)` for window state sharded over parallel workers).
public struct WindowOperator<Key: Hashable & Sendable, Accumulator: WindowAccumulator, Trigger: WindowTrigger>:
    StageOperator
{
    /// Elements with their event time, and watermarks.
    public typealias Input = EventTimeElement<Accumulator.Input>
    /// One window firing: the key, the window, the accumulator's result and the pane.
    public typealias Output = WindowResult<Key, Accumulator.Output>

    @usableFromInline let name: String
    @usableFromInline let assigner: WindowAssigner
    @usableFromInline let trigger: Trigger
    @usableFromInline let accumulator: Accumulator
    @usableFromInline let key: @Sendable (Accumulator.Input) -> Key
    @usableFromInline let configuration: WindowConfiguration<Accumulator.Input>
    @usableFromInline var core: WindowCore<Key, Accumulator, Trigger>?
    /// For one worker of a partitioned window stage: its shard number and whether it owns a key.
    @usableFromInline let shard: (index: Int, owns: @Sendable (Key) -> Bool)?

    /// Creates the stage.
    public init(
        name: String, assigner: WindowAssigner, trigger: Trigger, accumulator: Accumulator,
        key: @escaping @Sendable (Accumulator.Input) -> Key, configuration: WindowConfiguration<Accumulator.Input>
    ) {
        self.init(
            name: name, assigner: assigner, trigger: trigger, accumulator: accumulator, key: key,
            configuration: configuration, shard: nil)
    }

    /// Creates the stage; with `shard`, one worker of a partitioned window stage, which aggregates only the keys
    /// `owns` says are its own, and every watermark.
    @usableFromInline
    init(
        name: String, assigner: WindowAssigner, trigger: Trigger, accumulator: Accumulator,
        key: @escaping @Sendable (Accumulator.Input) -> Key, configuration: WindowConfiguration<Accumulator.Input>,
        shard: (index: Int, owns: @Sendable (Key) -> Bool)?
    ) {
        self.name = name
        self.assigner = assigner
        self.trigger = trigger
        self.accumulator = accumulator
        self.key = key
        self.configuration = configuration
        self.shard = shard
    }

    /// Never pure: windows carry state from element to element.
    public var isPure: Bool { false }
    /// Always `.stateful`.
    public var kind: StageKind { .stateful }

    /// Adds an element to its windows (only a key this shard owns) or takes a watermark, emitting every firing
    /// that causes; creates the window state on the first call. A refused element under `.deadLetter` throws
    /// `LateElementError`.
    @inlinable
    public mutating func process(_ input: Input, emit: (Output) -> Void) throws {
        if core == nil {
            core = WindowCore(
                name: name, assigner: assigner, trigger: trigger, accumulator: accumulator, key: key,
                configuration: configuration, shard: shard?.index ?? 0)
        }
        if let shard, case .element(let element, _) = input, !shard.owns(key(element)) { return }
        try core?.process(input, emit: emit)
    }

    /// Moves the watermark to the end of time, emitting every remaining firing, and drops all window state.
    @inlinable
    public mutating func finish(emit: (Output) -> Void) throws {
        core?.finish(emit: emit)
        core = nil
    }
}
