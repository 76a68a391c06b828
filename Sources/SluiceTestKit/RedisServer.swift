import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A throwaway `redis-server` for tests and benchmarks: 127.0.0.1, a free port, a temporary folder, and
/// `appendonly yes` (`appendfsync everysec`, unless given), stopped by `stop()`.
///
/// `start()` waits (polling the port, at most `startDeadline` seconds) until the server answers `PING`.
/// When Debian's `redis-server` is not installed, `unavailableReason` says so, and tests skip with it.
public final class RedisServer: @unchecked Sendable {  // `process` is set in `start` and read in `stop`, one thread.
    /// The paths searched for the server binary.
    public static let searchPaths = ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"]

    /// The server binary, if installed.
    public static var executable: String? { searchPaths.first { FileManager.default.isExecutableFile(atPath: $0) } }

    /// Nil when a server can be started here; otherwise why not (for skipped tests and unavailable benchmarks).
    public static var unavailableReason: String? {
        executable == nil
            ? "redis-server is not installed (apt-get install redis-server; ci/test installs it when it runs as root with apt-get)"
            : nil
    }

    /// The port it listens on.
    public let port: Int
    /// Its working folder (append-only file, log).
    public let directory: TemporaryDirectory
    private let appendfsync: String
    private let addresses: [String]
    /// The password clients must send with `AUTH` (`requirepass`), if any.
    public let password: String?
    private var process: Process?

    /// Prepares a server on a free port (nothing runs until `start()`), listening on 127.0.0.1 and the other
    /// addresses in `bind` (e.g. the host side of network-namespace links).
    /// With `password`, clients must authenticate (`requirepass`).
    public init(appendfsync: String = "everysec", bind: [String] = [], password: String? = nil) {
        port = Self.freePort()
        directory = TemporaryDirectory(prefix: "sluice-redis")
        self.appendfsync = appendfsync
        addresses = ["127.0.0.1"] + bind
        self.password = password
    }

    /// `AUTH password` in RESP when the server has a password, else nothing: what the admin commands send first.
    private var authentication: String {
        guard let password else { return "" }
        return "*2\r\n$4\r\nAUTH\r\n$\(password.utf8.count)\r\n\(password)\r\n"
    }

    /// `host:port`.
    public var address: String { "127.0.0.1:\(port)" }

    /// The running server's process ID (nil before `start` and after `stop`); a restart gives a new one.
    public var processIdentifier: Int32? { process.map(\.processIdentifier) }

    /// Starts the server and waits until it answers `PING` (it accepts connections and has read its append-only
    /// file).
    /// - Throws: a message naming the port and the log when it is not installed or does not come up in time.
    public func start(startDeadline: Double = 20) throws {
        guard let executable = Self.executable else { throw RedisServerError(message: Self.unavailableReason ?? "") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--port", String(port), "--bind", addresses.joined(separator: " "), "--dir", directory.path, "--appendonly", "yes",
            "--appendfsync", appendfsync, "--save", "", "--daemonize", "no", "--logfile", directory.file("redis.log"),
            "--protected-mode", "no",
        ] + (password.map { ["--requirepass", $0] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date(timeIntervalSinceNow: startDeadline)
        while !isReady {
            guard process.isRunning, Date() < deadline else {
                stop()
                let log = (try? String(contentsOfFile: directory.file("redis.log"), encoding: .utf8)) ?? ""
                throw RedisServerError(message: "redis-server on port \(port) did not accept connections within \(startDeadline) s; log: \(log.suffix(600))")
            }
            usleep(20_000)  // polling a real external process, bounded by the deadline above
        }
    }

    /// Stops the server (`SHUTDOWN NOSAVE`, then SIGKILL after 10 s) and removes its folder.
    ///
    /// Not SIGTERM: a child spawned from a thread that blocks SIGTERM (the test runner's) inherits the block.
    public func stop() {
        halt()
        directory.remove()
    }

    /// Stops the server and starts it again on the same port and folder; every client connection is closed
    /// meanwhile. Stopped with `SHUTDOWN`, the server keeps all it confirmed (it writes and syncs its
    /// append-only file); `crashing` kills it with SIGKILL instead, and it keeps what its `appendfsync` had
    /// synced (with `everysec`, all but up to about the last second).
    /// - Throws: as `start()`.
    public func restart(crashing: Bool = false, startDeadline: Double = 20) throws {
        if crashing, let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        halt()
        try start(startDeadline: startDeadline)
    }

    /// `SHUTDOWN NOSAVE` (with `appendonly yes` the append-only file is still written and synced; NOSAVE skips
    /// only snapshots), SIGKILL after 10 s; waits until the process has ended.
    private func halt() {
        if let process, process.isRunning {
            Self.send(authentication + "*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n", port: port)
            let deadline = Date(timeIntervalSinceNow: 10)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        process = nil
    }

    deinit { stop() }

    /// A port nobody listens on now (bound to port 0, read back, released).
    public static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                bind(descriptor, sockaddrPointer, length) == 0 && getsockname(descriptor, sockaddrPointer, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : Int.random(in: 20_000...60_000)
    }

    /// Connects to 127.0.0.1:`port`, writes `text` and returns the first bytes of the reply, read until `lines`
    /// lines have come (at most 256 bytes; less when the server closed the connection first; nil when nothing
    /// accepted the connection). Best effort, with a 5 s read timeout.
    @discardableResult
    static func send(_ text: String, port: Int, lines: Int = 1) -> [UInt8]? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return nil }
        // A server that answers with an error and keeps the connection open must not block the caller forever.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        // Each read returns with what has come, or 0 when the server closes the connection (as it does when it exits).
        while reply.count < 256, reply.count(where: { $0 == 10 }) < lines {
            let count = read(descriptor, &chunk, chunk.count)
            guard count > 0 else { break }
            reply += chunk.prefix(count)
        }
        return reply
    }

    /// Whether the server answers `PING` (after `AUTH` when it has a password) with `PONG`: it accepts
    /// connections and has read its data set (until then Redis answers `-LOADING`).
    public var isReady: Bool {
        let reply = Self.send(authentication + "*1\r\n$4\r\nPING\r\n", port: port, lines: password == nil ? 1 : 2) ?? []
        return String(decoding: reply, as: UTF8.self).hasSuffix("+PONG\r\n")
    }
}

/// A test server that could not be started.
public struct RedisServerError: Error, CustomStringConvertible {
    /// Why.
    public var message: String
    /// The message alone.
    public var description: String { message }
}
