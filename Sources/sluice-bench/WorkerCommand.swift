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
        let server = WorkerServer(
            readLine: { Swift.readLine(strippingNewline: true) },
            writeLine: { line in
                print(line)
                fflush(nil)
            })
        await server.run()
    }
}
