import Dispatch
import Foundation
import SluiceManifest

/// Turns Ctrl-C into a clean stop: the first SIGINT fires `stop` (the source ends, the sink flushes, the final
/// checkpoint is taken); a second one exits at once with status 130.
final class InterruptHandler {
    private let source: any DispatchSourceSignal

    init(stop: StopSignal) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if stop.isStopped { exit(RunExitStatus.interrupted) }
            stop.stop()
            StandardError.write("sluice: stopping (Ctrl-C again to quit at once)")
        }
        source.resume()
        self.source = source
    }

    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}

/// A progress line on stderr, redrawn twice a second: documents read and written, documents per second,
/// MB/s, and documents in flight (decoded, not yet at the sink: channel depth plus batches in hand).
/// Not `Sendable`: made, started and finished by the command's task; the timer's handler only reads the
/// thread-safe counters.
final class ProgressLine {
    private let progress: RunProgress
    private let timer: any DispatchSourceTimer
    private let startTime = DispatchTime.now().uptimeNanoseconds

    init(progress: RunProgress) {
        self.progress = progress
        timer = DispatchSource.makeTimerSource(queue: .global())
    }

    func start() {
        timer.schedule(deadline: .now() + .milliseconds(500), repeating: .milliseconds(500))
        let progress = progress, startTime = startTime
        timer.setEventHandler { Self.draw(progress, since: startTime, final: false) }
        timer.resume()
    }

    func finish() {
        timer.cancel()
        Self.draw(progress, since: startTime, final: true)
    }

    private static func draw(_ progress: RunProgress, since startTime: UInt64, final: Bool) {
        let seconds = max(1e-9, Double(DispatchTime.now().uptimeNanoseconds - startTime) / 1e9)
        let bytes = Double(progress.bytesRead.value)
        let documents = progress.documentsDecoded.value
        let line = String(
            format: "\r%@ docs read, %@ written | %.0f docs/s | %.1f MB/s | in flight %d%@",
            "\(documents)", "\(progress.documentsWritten.value)", Double(documents) / seconds, bytes / seconds / 1e6,
            progress.inFlight, final ? "\n" : "")
        FileHandle.standardError.write(Data(line.utf8))
    }
}
