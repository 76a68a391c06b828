import Dispatch
import Foundation

/// Runs a command to completion and captures its output: what the commit comparison needs for git and builds.
package enum ProcessRunner {
    /// What a finished command did.
    package struct Outcome: Sendable {
        package var status: Int32
        package var stdout: Data
        package var stderr: Data

        package var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        package var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs `arguments` (looked up on PATH via `/usr/bin/env`) in `directory` and waits for it.
    /// Both pipes are drained before waiting, so a chatty command never blocks on a full pipe. `onOutputLine`,
    /// when given, gets each line of standard output as it arrives (on the calling thread, without its newline),
    /// e.g. a build's `[n/m]` steps; the whole output is still returned.
    package static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
        onOutputLine: ((Substring) -> Void)? = nil
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let box = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            box.data = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData: Data
        if let onOutputLine {
            outputData = readLines(from: output.fileHandleForReading, onLine: onOutputLine)
        } else {
            outputData = output.fileHandleForReading.readDataToEndOfFile()
        }
        group.wait()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: outputData, stderr: box.data)
    }

    /// Reads `handle` to its end, handing on each complete line (and a last one without a newline) as it comes.
    static func readLines(from handle: FileHandle, onLine: (Substring) -> Void) -> Data {
        var all = Data()
        var pending = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            all.append(chunk)
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                onLine(Substring(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        if !pending.isEmpty { onLine(Substring(decoding: pending, as: UTF8.self)) }
        return all
    }

    /// Holds the stderr bytes read on another queue; written once before `group.leave()`, read after `wait()`.
    private final class DataBox: @unchecked Sendable {  // Confined: the DispatchGroup orders the write before the read.
        var data = Data()
    }
}
