import Sluice
import SluiceTestKit

/// The steady soak workload: a seeded block of NDJSON events streamed through the token reader in 64 KiB chunks,
/// aggregated by key, and checked on every pass.
///
/// Every batch is one pass over the block; the token reader, the token buffer and the aggregate are reused,
/// so a healthy engine holds flat memory however long it runs.
public struct TokenStreamSoakWorkload: SoakWorkload {
    private let block: [UInt8]
    private let documentsPerPass: Int
    private let tokensPerPass: Int
    private var tokens = [JSONToken](repeating: .null, count: 4096)
    private let chunkSize = 64 * 1024

    /// Makes a block of `events` events (seeded) and counts its expected documents and tokens once.
    public init(events: Int = 2_000, seed: UInt64 = 0x50AC) throws {
        var generator = SeededRandomNumberGenerator(seed: seed)
        var text = ""
        for sequence in 0..<events {
            let key = Int.random(in: 0..<64, using: &generator)
            let value = Int.random(in: 0..<1_000_000, using: &generator)
            text += "{\"seq\":\(sequence),\"key\":\"user-\(key)\",\"ts\":\(1_700_000_000_000 + sequence),"
            text += "\"payload\":{\"value\":\(value),\"tags\":[\"a\",\"b\"],\"ok\":true,\"ratio\":0.\(value)}}\n"
        }
        block = Array(text.utf8)
        documentsPerPass = events
        var reader = JSONTokenReader(allowsMultipleDocuments: true)
        var all: [JSONToken] = []
        try reader.feed(block, into: &all)
        try reader.finalize(into: &all)
        tokensPerPass = all.count
    }

    /// The depth of a channel: this workload has none.
    public var channelDepth: Int? { nil }

    /// One pass over the block. Throws when the documents or tokens counted differ from the first count.
    public mutating func runBatch() throws -> Int {
        var reader = JSONTokenReader(allowsMultipleDocuments: true)
        var tokenCount = 0
        var offset = 0
        try tokens.withUnsafeMutableBufferPointer { buffer in try block.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let end = min(offset + chunkSize, bytes.count)
                reader.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
                while true {
                    let count = try reader.read(into: buffer)
                    if count == 0 { break }
                    tokenCount += count
                }
                offset = end
            }
            try reader.finalize()
            while true {
                let count = try reader.read(into: buffer)
                if count == 0 { break }
                tokenCount += count
            }
        } }
        guard reader.documentsCompleted == documentsPerPass, tokenCount == tokensPerPass else {
            throw SoakWorkloadError(message:
                "pass read \(reader.documentsCompleted) documents and \(tokenCount) tokens; expected \(documentsPerPass) and \(tokensPerPass)")
        }
        return documentsPerPass
    }
}

/// A soak workload's output check failed.
public struct SoakWorkloadError: Error, CustomStringConvertible {
    /// What the check found wrong, e.g. the documents and tokens a pass read against those expected.
    public var message: String
    /// The message, unchanged.
    public var description: String { message }

    /// Creates an error with a message that says what was wrong.
    public init(message: String) { self.message = message }
}
