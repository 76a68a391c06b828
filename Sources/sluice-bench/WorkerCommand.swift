import ArgumentParser
import Foundation
import SluiceBench

#if canImport(Glibc)
import Glibc
#endif

/// `sluice-bench worker` (hidden): serves `WorkerProtocol` JSON lines on stdin/stdout for a driver.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Measure benchmarks for a driver process over JSON lines on stdin/stdout (protocol 1).",
        shouldDisplay: false)

    func run() async throws {
        // Ctrl-C reaches the whole process group; the driver decides when the worker stops (it closes stdin).
        signal(SIGINT, SIG_IGN)
        await Self.makeServer().run()
    }

    static func makeServer() -> WorkerServer {
        WorkerServer(
            readLine: { Swift.readLine(strippingNewline: true) },
            writeLine: { line in
                print(line)
                fflush(nil)
            })
    }

    /// `sluice-bench worker` as drivers start it: serves on a task while the main thread waits, then exits.
    ///
    /// Called from the async `main` before its first suspension, so the main thread never parks in libdispatch's
    /// `dispatch_main`, whose `sigsuspend` mask lies in read-only memory: valgrind 3.19 (Debian 12) crashes
    /// writing to it, and the instruction lane runs this worker under Callgrind.
    static func serveBlockingTheMainThread() -> Never {
        signal(SIGINT, SIG_IGN)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await makeServer().run()
            done.signal()
        }
        done.wait()
        fflush(nil)
        Foundation.exit(0)
    }
}
