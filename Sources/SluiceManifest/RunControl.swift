import Foundation
import Sluice
import SluiceConnectors
import Synchronization

/// Asks a running manifest pipeline to stop: the source reports the end of its input at its next read, so the
/// stages finish, the sink flushes and the final checkpoint is taken. Safe from any thread (a signal handler's
/// dispatch source, a test).
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Creates a signal that has not fired.
    public init() {}

    /// Requests the stop.
    public func stop() { flag.store(true, ordering: .relaxed) }

    /// Whether a stop was requested.
    public var isStopped: Bool { flag.load(ordering: .relaxed) }
}

/// Live counters of a run, for progress displays: read from any thread while the run goes on.
public struct RunProgress: Sendable {
    /// Source bytes read.
    public let bytesRead = ByteCounter()
    /// Documents decoded.
    public let documentsDecoded = ByteCounter()
    /// Documents written to the sink.
    public let documentsWritten = ByteCounter()

    /// Documents decoded whose output has not reached the sink: the depth of the pipeline's channels and the
    /// batches in hand (documents dropped by filters or held by aggregates count until the run ends).
    public var inFlight: Int { max(0, documentsDecoded.value - documentsWritten.value) }
}

/// A source that ends early on a `StopSignal`, and skips the first `skip` bytes (a resumed run).
struct ControlledSource: PipelineSource {
    typealias Element = [UInt8]
    var base: ConnectorSource
    let stop: StopSignal
    var skip: Int
    /// Counts the bytes handed on (after skipping).
    let counter: ByteCounter

    /// The connector's guard (on for network sources): its empty tick chunks pass through.
    var framingIdleTimeout: FramingIdleTimeout? { base.framingIdleTimeout }

    mutating func read(into buffer: inout [[UInt8]], maxCount: Int) throws -> Bool {
        guard !stop.isStopped else { return false }
        let start = buffer.count
        let more = try base.read(into: &buffer, maxCount: maxCount)
        trim(&buffer, from: start)
        counter.add(bytesIn: buffer[start...])
        return more
    }

    mutating func readAsync(into buffer: inout [[UInt8]], maxCount: Int) async throws -> Bool {
        guard !stop.isStopped else { return false }
        let start = buffer.count
        let more = try await base.readAsync(into: &buffer, maxCount: maxCount)
        trim(&buffer, from: start)
        counter.add(bytesIn: buffer[start...])
        return more
    }

    private mutating func trim(_ buffer: inout [[UInt8]], from start: Int) {
        var index = start
        while skip > 0 && index < buffer.count {
            let drop = min(skip, buffer[index].count)
            buffer[index].removeFirst(drop)
            skip -= drop
            index += 1
        }
        if index > start {
            let kept = buffer[start...].filter { !$0.isEmpty }
            buffer.replaceSubrange(start..., with: kept)
        }
    }
}
