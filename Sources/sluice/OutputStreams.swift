#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output with a buffer, so that one line per token does not cost one system call each.
/// A class so that `onFrame`/`onToken` closures can share it; flushed on `deinit`.
final class StandardOutput {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    deinit { Self.writeAll(buffer, to: STDOUT_FILENO) }

    /// Appends `text` and a newline.
    func writeLine(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Appends `bytes` and a newline.
    func writeLine(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes what is buffered.
    func flush() {
        Self.writeAll(buffer, to: STDOUT_FILENO)
        buffer.removeAll(keepingCapacity: true)
    }

    fileprivate static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let result = write(descriptor, raw.baseAddress! + written, raw.count - written)  // non-empty: count > 0
                if result < 0 && errno == EINTR { continue }
                if result <= 0 { return }  // a closed pipe: nothing more can be said
                written += result
            }
        }
    }
}

/// Standard error, unbuffered: diagnostics appear at once.
enum StandardError {
    /// Writes `text` and a newline.
    static func write(_ text: String) {
        StandardOutput.writeAll(Array((text + "\n").utf8), to: STDERR_FILENO)
    }
}
