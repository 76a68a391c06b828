import Foundation
import NIOCore
import NIOPosix
import SluiceConnectors
import SluiceTestKit

/// Why the tests that need a real server are skipped, if they are.
let redisSkipReason = RedisServer.unavailableReason ?? ""
let redisAvailable = RedisServer.unavailableReason == nil

/// Starts a server for one test and stops it after `body`.
func withRedisServer<T>(_ body: (RedisServer, RedisConnectionPool) async throws -> T) async throws -> T {
    let server = RedisServer()
    try server.start()
    let pool = RedisConnectionPool(host: "127.0.0.1", port: server.port)
    defer {
        pool.close()
        server.stop()
    }
    return try await body(server, pool)
}

/// Appends `count` documents to the partition streams of `stream` the way producers must (the stable hash of
/// the key picks the partition); returns the documents' `n` values per partition.
func produce(_ pool: RedisConnectionPool, stream: String, partitions: Int, count: Int, start: Int = 0, extra: (Int) -> [RESPCommand] = { _ in [] }) throws {
    var commands: [RESPCommand] = []
    for n in start..<(start + count) {
        let key = "k\(n % 97)"
        let partition = Array("\"\(key)\"".utf8).withUnsafeBytes { RedisStreamSink.partition(of: $0, partitions: partitions) }
        commands.append(RESPCommand("XADD", "\(stream):\(partition)", "*", "data", "{\"n\":\(n),\"key\":\"\(key)\",\"keep\":\(n % 5 != 0)}"))
        commands += extra(n)
        if commands.count >= 500 {
            _ = try pool.sendWaiting(commands)
            commands.removeAll()
        }
    }
    if !commands.isEmpty { _ = try pool.sendWaiting(commands) }
}

/// Every entry of every partition stream: the `data` field's documents and the `src` fields.
func readAll(_ pool: RedisConnectionPool, stream: String, partitions: Int) throws -> (documents: [String], sources: [String]) {
    var documents: [String] = []
    var sources: [String] = []
    for partition in 0..<partitions {
        let reply = try pool.sendWaiting([RESPCommand("XRANGE", "\(stream):\(partition)", "-", "+")])[0]
        for entry in reply.elements ?? [] {
            let fields = entry.elements?[1].elements ?? []
            var index = 0
            while index + 1 < fields.count {
                if fields[index].text == "data", let text = fields[index + 1].text { documents.append(text) }
                if fields[index].text == "src", let text = fields[index + 1].text { sources.append(text) }
                index += 2
            }
        }
    }
    return (documents, sources)
}

/// The `n` of each document (as JSON text).
func numbers(_ documents: [String]) -> [Int] {
    documents.compactMap { document in
        guard let range = document.range(of: "\"n\":") else { return nil }
        return Int(document[range.upperBound...].prefix { $0.isNumber })
    }
}

/// An entry (`[id, [field, value, …]]`) as text: its strings joined by spaces.
func entryText(_ value: RESPValue?) -> String {
    switch value {
    case .array(let elements?)?: return elements.map { entryText($0) }.joined(separator: " ")
    case let value?: return value.text ?? value.integer.map(String.init) ?? ""
    case nil: return ""
    }
}
