import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files atomically: a temporary file in the same folder, `fsync`, `rename` over the target,
/// then `fsync` of the folder. A reader sees the old file or the new one, never a partial one.
package enum AtomicFile {
    /// A failed atomic write, naming the file.
    package struct WriteError: Error, CustomStringConvertible {
        package var path: String
        package var message: String
        package var description: String { "\(path): \(message)" }
    }

    /// Replaces `url`'s contents with `data` atomically, creating the folder if needed.
    /// Complexity: O(data.count).
    package static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: directory.path, message: "cannot create the folder: \(error)")
        }
        let suffix = "\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(suffix).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw WriteError(path: temporary.path, message: "cannot create a temporary file: errno \(errno)")
        }
        var isRenamed = false
        defer {
            if !isRenamed { unlink(temporary.path) }
        }
        do {
            defer { close(descriptor) }
            try data.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count, let base = buffer.baseAddress {
                    let written = posixWrite(descriptor, base + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw WriteError(path: temporary.path, message: "write failed: errno \(errno)")
                    }
                    offset += written
                }
            }
            guard fsync(descriptor) == 0 else {
                throw WriteError(path: temporary.path, message: "fsync failed: errno \(errno)")
            }
        }
        guard rename(temporary.path, url.path) == 0 else {
            throw WriteError(path: url.path, message: "rename failed: errno \(errno)")
        }
        isRenamed = true
        let directoryDescriptor = open(directory.path, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Writes UTF-8 `text` atomically.
    package static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}

private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}

/// Short, readable descriptions of `DecodingError`s: the coding path and what was wrong.
package enum DecodingErrorText {
    package static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { key in
                key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)"
            }.joined()
            return text.isEmpty ? "(root)" : String(text.drop { $0 == "." })
        }
        switch error {
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context): return "\(path(context)): missing field \"\(key.stringValue)\""
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)): expected \(type), found null"
        @unknown default: return "\(error)"
        }
    }
}
