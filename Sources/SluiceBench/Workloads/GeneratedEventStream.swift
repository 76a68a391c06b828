import Foundation
import Sluice

#if canImport(Glibc)
import Glibc
#endif

/// A generated NDJSON event stream, in memory (small sizes) or in a temporary file (large sizes), with its
/// expectation. The temporary file is removed when the last reference goes away; it is never committed.
public final class GeneratedEventStream: Sendable {
    /// Where the bytes are.
    public enum Storage: Sendable {
        case memory([UInt8])
        case file(URL)
    }

    /// The bytes, or the file holding them.
    public let storage: Storage
    /// What the macro pipeline must find in the stream.
    public let expectation: EventStreamExpectation

    /// Streams up to this size are kept in memory; larger ones go to a temporary file.
    public static let inMemoryLimit = 16 * 1_000_000

    /// Generates a stream of at least `megabytes` MB (10⁶ bytes) for `seed`: in memory up to `inMemoryLimit`,
    /// else streamed block by block into a file in the temporary folder (never holding it in memory).
    /// O(size). Throws a `HarnessError` when the temporary file cannot be written.
    public init(megabytes: Double, seed: UInt64, keyCount: Int = 1_000, forceFile: Bool = false) throws {
        let target = max(1, Int(megabytes * 1_000_000))
        let generator = EventStreamGenerator(seed: seed, keyCount: keyCount)
        if target <= Self.inMemoryLimit && !forceFile {
            let (bytes, expectation) = generator.generateInMemory(targetBytes: target)
            storage = .memory(bytes)
            self.expectation = expectation
            return
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sluice-events-\(seed)-\(target)-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).ndjson")
        guard let file = fopen(url.path, "wb") else {
            throw HarnessError(code: .benchmarkSetup, message: "cannot create the generated stream", file: url.path)
        }
        defer { fclose(file) }
        do {
            expectation = try generator.generate(targetBytes: target) { block in
                if fwrite(block.baseAddress, 1, block.count, file) != block.count {
                    throw HarnessError(
                        code: .benchmarkSetup, message: "cannot write the generated stream (disk full?)",
                        file: url.path)
                }
            }
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
        storage = .file(url)
    }

    deinit {
        if case .file(let url) = storage { try? FileManager.default.removeItem(at: url) }
    }

    /// A pipeline source over the stream in chunks of `chunkSize` bytes.
    public func makeSource(chunkSize: Int = 64 * 1024) -> EventStreamSource {
        EventStreamSource(stream: self, chunkSize: chunkSize)
    }
}

/// Reads a `GeneratedEventStream` in fixed-size chunks: slices of the in-memory bytes (no copy), or reads
/// from the file (one buffer per chunk). Each run works on its own copy, which starts from the beginning.
public struct EventStreamSource: PipelineSource {
    /// A chunk of the stream's bytes: a slice of the in-memory bytes, or a whole chunk read from the file.
    public typealias Element = ArraySlice<UInt8>
    let stream: GeneratedEventStream
    let chunkSize: Int
    private var position = 0
    private var reader: FileChunkReader?

    init(stream: GeneratedEventStream, chunkSize: Int) {
        precondition(chunkSize > 0, "chunkSize must be positive")
        self.stream = stream
        self.chunkSize = chunkSize
    }

    /// Appends up to `maxCount` chunks of at most `chunkSize` bytes: slices of the in-memory bytes (no copy), or
    /// chunks read from the file, blocking on `read(2)`. Reads only when called (the engine's pull is the backpressure)
    /// and checks no cancellation. Returns false at the end of the stream.
    public mutating func read(into buffer: inout [ArraySlice<UInt8>], maxCount: Int) throws -> Bool {
        switch stream.storage {
        case .memory(let bytes):
            for _ in 0..<maxCount {
                guard position < bytes.count else { return false }
                let end = min(bytes.count, position + chunkSize)
                buffer.append(bytes[position..<end])
                position = end
            }
            return position < bytes.count
        case .file(let url):
            if reader == nil { reader = try FileChunkReader(url: url) }
            guard let reader else { return false }
            for _ in 0..<maxCount {
                guard let chunk = try reader.next(chunkSize) else { return false }
                buffer.append(chunk[...])
            }
            return true
        }
    }
}

/// An open file read chunk by chunk; closed on deinit. Used by one source copy on one thread at a time.
final class FileChunkReader: @unchecked Sendable {  // confined: only the run that owns the source reads it
    private let descriptor: Int32
    private let path: String

    init(url: URL) throws {
        path = url.path
        descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            throw HarnessError(code: .benchmarkSetup, message: "cannot open the generated stream", file: url.path)
        }
    }

    deinit { close(descriptor) }

    /// The next chunk of at most `size` bytes, or nil at the end of the file.
    func next(_ size: Int) throws -> [UInt8]? {
        var failed = false
        let chunk = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            let result = Glibc.read(descriptor, buffer.baseAddress, size)
            failed = result < 0
            count = max(0, result)
        }
        if failed { throw HarnessError(code: .benchmarkSetup, message: "cannot read the generated stream", file: path) }
        return chunk.isEmpty ? nil : chunk
    }
}
