import Sluice

/// Where a connector can be used: as a pipeline's source, its sink, or both.
public enum ConnectorRole: String, Sendable, Hashable, CaseIterable {
    case source
    case sink
}

/// A connector: a URI scheme, the options it takes, and how it opens a byte source or a byte sink.
///
/// Register your own with `ConnectorRegistry.register(_:)`. `checkTarget` runs at validation time (before
/// anything opens); `openSource` and `openSink` run when the pipeline starts.
public struct Connector: Sendable {
    /// The scheme, lower-case, without the colon (`file`, `tcp`).
    public var scheme: String
    /// One line on what it connects to.
    public var summary: String
    /// The URI forms it accepts, e.g. `file:PATH`.
    public var forms: [String]
    /// The options it accepts.
    public var options: [ConnectorOption]
    /// Opens the endpoint as a source of byte chunks; nil: the connector cannot be a source.
    public var openSource: (@Sendable (ConnectorEndpoint) throws -> ConnectorSource)?
    /// Opens the endpoint as a byte sink; nil: the connector cannot be a sink.
    public var openSink: (@Sendable (ConnectorEndpoint) throws -> any ByteSink)?
    /// Checks the target (the part after the scheme) before anything opens; the default accepts any.
    public var checkTarget: @Sendable (ConnectorEndpoint, ConnectorRole) throws(ConnectorError) -> Void

    /// Creates a connector.
    public init(
        scheme: String, summary: String, forms: [String], options: [ConnectorOption] = [],
        openSource: (@Sendable (ConnectorEndpoint) throws -> ConnectorSource)? = nil,
        openSink: (@Sendable (ConnectorEndpoint) throws -> any ByteSink)? = nil,
        checkTarget: @escaping @Sendable (ConnectorEndpoint, ConnectorRole) throws(ConnectorError) -> Void = { _, _ in }
    ) {
        self.scheme = scheme.lowercased()
        self.summary = summary
        self.forms = forms
        self.options = options
        self.openSource = openSource
        self.openSink = openSink
        self.checkTarget = checkTarget
    }

    /// The roles the connector supports.
    public var roles: [ConnectorRole] {
        (openSource != nil ? [.source] : []) + (openSink != nil ? [.sink] : [])
    }
}

/// Where a pipeline's output bytes go: newline-terminated records, written in order from one thread or task.
///
/// `write` may buffer; `flush` hands buffered bytes to the destination (for a socket: waits until they are
/// written, which is the sink's backpressure); `close` flushes and releases the destination.
public protocol ByteSink: AnyObject, Sendable {
    /// Appends bytes.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Hands everything buffered to the destination.
    func flush() throws
    /// Flushes and closes. Called once.
    func close() throws
}

/// A source of byte chunks opened by a connector, counting the bytes it hands out (for progress displays).
public struct ConnectorSource: PipelineSource {
    /// A chunk of bytes as the wrapped source hands it out (a network source also sends empty tick chunks).
    public typealias Element = [UInt8]
    private var base: any PipelineSource<[UInt8]>
    /// Bytes handed out so far, shared with whoever shows progress.
    public let counter: ByteCounter
    /// Set when the source's entries must be acknowledged once their output is durable (a message queue).
    public let acknowledged: (any AcknowledgedSource)?
    /// True when the source frames its documents itself, each behind a 4-byte big-endian length (a message
    /// queue's entries): the pipeline then decodes them as length-prefixed whatever the manifest's `framing`, so
    /// one bad entry is one dead letter and never breaks the framing of the others.
    public let isLengthPrefixed: Bool

    /// Wraps `base`, counting its bytes in `counter`; `acknowledged` when its input needs acknowledgements;
    /// `isLengthPrefixed` when it frames its documents itself.
    public init(
        _ base: some PipelineSource<[UInt8]>, counter: ByteCounter = ByteCounter(),
        acknowledged: (any AcknowledgedSource)? = nil, isLengthPrefixed: Bool = false
    ) {
        self.base = base
        self.counter = counter
        self.acknowledged = acknowledged
        self.isLengthPrefixed = isLengthPrefixed
    }

    /// The wrapped source's timeout guard (on for network sources, which then emit empty tick chunks).
    public var framingIdleTimeout: FramingIdleTimeout? { base.framingIdleTimeout }

    /// Reads from the wrapped source and counts the bytes. Blocks as long as the wrapped source does.
    public mutating func read(into buffer: inout [[UInt8]], maxCount: Int) throws -> Bool {
        let start = buffer.count
        let more = try base.read(into: &buffer, maxCount: maxCount)
        counter.add(bytesIn: buffer[start...])
        return more
    }

    /// Reads from the wrapped source, suspending as long as it does (a socket: until bytes arrive); cancellation
    /// is the wrapped source's to honour.
    public mutating func readAsync(into buffer: inout [[UInt8]], maxCount: Int) async throws -> Bool {
        let start = buffer.count
        let more = try await base.readAsync(into: &buffer, maxCount: maxCount)
        counter.add(bytesIn: buffer[start...])
        return more
    }
}
