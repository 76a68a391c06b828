import Dispatch
import Foundation

/// The driver side of `WorkerProtocol`: starts `<executable> worker` and exchanges JSON lines with it.
///
/// `nextResponse()` suspends until the worker writes a line; the blocking pipe read happens on a private
/// dispatch queue, never on a Swift-concurrency thread. If the worker dies, `nextResponse()` throws a
/// `worker` error naming the exit status. Not for concurrent use: one task talks to one worker.
public final class WorkerClient: @unchecked Sendable {  // `buffer` and `output` are confined to `readQueue`.
    private let process = Process()
    private let input = Pipe()
    private let outputPipe = Pipe()
    private let readQueue = DispatchQueue(label: "sluice-bench.worker-client")
    private var buffer: [UInt8] = []
    private var isClosed = false
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Starts the worker: `executable worker` (after `launcher`'s command line when one is given, e.g.
    /// valgrind), in the fixed environment and working directory of `WorkerEnvironment` plus `environment`.
    /// The worker's stderr is this process's stderr.
    public init(executable: URL, environment: [String: String] = [:], launcher: [String] = []) throws {
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [executable.path, "worker"]
        } else {
            process.executableURL = executable
            process.arguments = ["worker"]
        }
        process.environment = WorkerEnvironment.make(extra: environment)
        process.currentDirectoryURL = URL(fileURLWithPath: WorkerEnvironment.workingDirectory)
        process.standardInput = input
        process.standardOutput = outputPipe
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            throw HarnessError(code: .worker, message: "cannot start the worker: \(error)", file: executable.path)
        }
    }

    /// This binary, for spawning workers of the same build: `/proc/self/exe` resolved.
    public static var currentExecutable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }

    /// Sends one request line.
    public func send(_ request: WorkerRequest) throws {
        var data = try encoder.encode(request)
        data.append(UInt8(ascii: "\n"))
        do {
            try input.fileHandleForWriting.write(contentsOf: data)
        } catch {
            throw HarnessError(code: .worker, message: "the worker is gone (cannot write to it): \(error)")
        }
    }

    /// The next response line, decoded. Suspends until the worker writes one.
    /// Throws a `worker` error when the worker exits or writes something that is not a response.
    public func nextResponse() async throws -> WorkerResponse {
        let line: String? = await withCheckedContinuation { continuation in
            readQueue.async { continuation.resume(returning: self.readLineBlocking()) }
        }
        guard let line else {
            process.waitUntilExit()
            throw HarnessError(
                code: .worker, message: "the worker exited (status \(process.terminationStatus)) before answering")
        }
        return try ResultsDecoding.decodeLine(WorkerResponse.self, line, what: "worker response")
    }

    /// Sends `request` and collects responses until a final one (`result`, `failed`, `error`, `prepared`,
    /// `hello`, `bye`, or `round` for a `round` request), passing intermediate `round` events to `onRound`.
    public func exchange(_ request: WorkerRequest, onRound: (WorkerResponse) -> Void = { _ in }) async throws
        -> WorkerResponse
    {
        try send(request)
        while true {
            let response = try await nextResponse()
            if response.event == .round && request.op != .round {
                onRound(response)
                continue
            }
            return response
        }
    }

    /// Asks the worker to exit and waits for it. Idempotent.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        try? send(WorkerRequest(op: .exit))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// Stops the worker at once (SIGTERM) and waits for it.
    public func terminate() {
        guard !isClosed else { return }
        isClosed = true
        process.terminate()
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit {
        if !isClosed { terminate() }
    }

    private func readLineBlocking() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let chunk = outputPipe.fileHandleForReading.availableData
            if chunk.isEmpty {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            buffer.append(contentsOf: chunk)
        }
    }
}
