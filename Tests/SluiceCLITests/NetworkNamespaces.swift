import Foundation

/// Network namespaces for tests that put processes on hosts of their own: one namespace per node, joined to the
/// host by a veth pair with a /30 of its own (host side `.1`, node side `.2`). Needs root and a working `ip netns`;
/// `unavailableReason` says why not otherwise. `remove()` deletes the namespaces (and with them the links).
struct NetworkNamespaces {
    /// The `ip` binary, if installed.
    static let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Nil when namespaces can be made here. Probed once with the whole set-up a test needs (a namespace, a veth
    /// pair, addresses, `ip netns exec`), then removed: a machine that allows `ip netns add` but not veth links or
    /// `netns exec` (some containers) skips the test with the failing step named, instead of failing it.
    static let unavailableReason: String? = {
        guard ip != nil else { return "the ip command (iproute2) is not installed" }
        guard getuid() == 0 else { return "network namespaces need root" }
        do {
            let probe = try NetworkNamespaces(count: 1, tag: "p")
            probe.remove()
            return nil
        } catch {
            return "network namespaces cannot be set up here: \(error)"
        }
    }()

    /// Runs a command, discarding its output; its exit status.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The namespaces' names.
    let names: [String]
    /// The host-side address of node `i`'s link (where a server for it listens).
    let hostAddresses: [String]
    private let hostLinks: [String]

    /// Makes `count` namespaces.
    /// - Throws: a message naming the `ip` command that failed.
    /// `tag` keeps the probe's names and addresses apart from a test's.
    init(count: Int, tag: String = "x") throws {
        let ip = Self.ip ?? "ip"
        let pid = Int(getpid())
        let octet = (tag == "x" ? 200 : 150) + pid % 50
        names = (0..<count).map { "sluice-\(pid)-\(tag)\($0)" }
        hostLinks = (0..<count).map { "vh\(pid % 100_000)\(tag)\($0)" }
        hostAddresses = (0..<count).map { "10.\(octet).\($0).1" }
        for index in 0..<count {
            let name = names[index], host = hostLinks[index], node = "vn\(pid % 100_000)\(tag)\(index)"
            let steps: [[String]] = [
                ["netns", "add", name],
                ["link", "add", host, "type", "veth", "peer", "name", node],
                ["link", "set", node, "netns", name],
                ["addr", "add", "10.\(octet).\(index).1/30", "dev", host],
                ["link", "set", host, "up"],
                ["netns", "exec", name, ip, "addr", "add", "10.\(octet).\(index).2/30", "dev", node],
                ["netns", "exec", name, ip, "link", "set", node, "up"],
                ["netns", "exec", name, ip, "link", "set", "lo", "up"],
            ]
            for step in steps where Self.run(ip, step) != 0 {
                remove()
                throw NetworkNamespaceError(message: "ip \(step.joined(separator: " ")) failed")
            }
        }
    }

    /// `ip netns exec NAME`: the prefix that runs a command in node `index`'s namespace (it execs the command).
    func launcher(_ index: Int) -> [String] { [Self.ip ?? "ip", "netns", "exec", names[index]] }

    /// Deletes the namespaces and the host ends of the links.
    func remove() {
        guard let ip = Self.ip else { return }
        for name in names { Self.run(ip, ["netns", "del", name]) }
        for link in hostLinks { Self.run(ip, ["link", "del", link]) }
    }
}

/// A namespace set-up step that failed.
struct NetworkNamespaceError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
