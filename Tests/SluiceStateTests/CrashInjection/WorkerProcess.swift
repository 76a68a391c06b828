import Foundation

/// The `sluice-checkpoint-worker` child process, driven line by line over pipes.
final class WorkerProcess {
    /// The folder holding the built products: the one this test binary lives in (see CLIRunner).
    static var productsDirectory: URL {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS"
            || directory.lastPathComponent == "Contents"
        {
            directory.deleteLastPathComponent()
        }
        return directory
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private var buffer: [UInt8] = []
    private var isAtEnd = false

    /// Starts the worker with `arguments`.
    init(_ arguments: [String]) throws {
        // Writing an acknowledgement to a worker that just died must not kill the test process.
        signal(SIGPIPE, SIG_IGN)
        process.executableURL = Self.productsDirectory.appendingPathComponent("sluice-checkpoint-worker")
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }

    /// The next line the worker printed, or nil once it closed stdout. Blocks until there is one.
    func nextLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            if isAtEnd { return nil }
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { isAtEnd = true } else { buffer.append(contentsOf: data) }
        }
    }

    /// Lets a paced worker continue past its last progress line.
    func acknowledge() {
        var newline = UInt8(ascii: "\n")
        _ = write(input.fileHandleForWriting.fileDescriptor, &newline, 1)
    }

    /// Sends `SIGKILL`.
    func kill() { _ = Foundation.kill(process.processIdentifier, SIGKILL) }

    /// Waits for the worker to end; returns whether it was killed by a signal, its status, and its stderr.
    func wait() -> (killed: Bool, status: Int32, stderr: String) {
        try? input.fileHandleForWriting.close()
        while nextLine() != nil {}
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationReason == .uncaughtSignal, process.terminationStatus, stderr)
    }
}
