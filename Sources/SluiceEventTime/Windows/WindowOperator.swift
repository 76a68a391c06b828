import Sluice

/// The window stage: consumes an event-time stream (elements and watermarks, see `.watermarks(...)`) and
/// emits one `WindowResult` per window firing. Append it with `PipelineBuilder.window(...)`.
///
/// Synchronous and stateful: it never suspends; a watermark fires every window it closes before the stage
/// returns, in timer order (time, then key in first-seen order, then window). At the end of input the
/// watermark moves to the end of time, so every window fires as its trigger says and all state is dropped.
/// Elements refused (late beyond the allowed lateness, or by the late event guard) go to the configured
/// `LateElementPolicy`. Each run starts from empty state.
public struct WindowOperator<Key: Hashable & Sendable, Accumulator: WindowAccumulator, Trigger: WindowTrigger>:
    StageOperator
{
    public typealias Input = EventTimeElement<Accumulator.Input>
    public typealias Output = WindowResult<Key, Accumulator.Output>

    @usableFromInline let name: String
    @usableFromInline let assigner: WindowAssigner
    @usableFromInline let trigger: Trigger
    @usableFromInline let accumulator: Accumulator
    @usableFromInline let key: @Sendable (Accumulator.Input) -> Key
    @usableFromInline let configuration: WindowConfiguration<Accumulator.Input>
    @usableFromInline var core: WindowCore<Key, Accumulator, Trigger>?

    /// Creates the stage.
    public init(
        name: String, assigner: WindowAssigner, trigger: Trigger, accumulator: Accumulator,
        key: @escaping @Sendable (Accumulator.Input) -> Key, configuration: WindowConfiguration<Accumulator.Input>
    ) {
        self.name = name
        self.assigner = assigner
        self.trigger = trigger
        self.accumulator = accumulator
        self.key = key
        self.configuration = configuration
    }

    /// Never pure: windows carry state from element to element.
    public var isPure: Bool { false }
    public var kind: StageKind { .stateful }

    @inlinable
    public mutating func process(_ input: Input, emit: (Output) -> Void) throws {
        if core == nil {
            core = WindowCore(
                name: name, assigner: assigner, trigger: trigger, accumulator: accumulator, key: key,
                configuration: configuration)
        }
        try core?.process(input, emit: emit)
    }

    @inlinable
    public mutating func finish(emit: (Output) -> Void) throws {
        core?.finish(emit: emit)
        core = nil
    }
}
