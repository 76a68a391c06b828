import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that a reader only ever sees the old content or the whole new content.
///
/// The data goes to a uniquely named temporary file in the same folder (`mkstemp`, so two writers never share
/// one), is flushed to disk, and is renamed over the target: `rename(2)` within a folder is atomic, so two runs
/// writing at once leave one complete file, never a torn one. On any failure the temporary file is removed and
/// the target is untouched.
public enum AtomicFileWriter {
    /// Checks, before any work is done, that `write` can write `url`: its folder exists or can be created, a
    /// file can be created in it, and `url` is not a folder. Creates the folder; leaves no file behind.
    /// - Throws: `HarnessError` (`ioFailure`) naming the path and the reason, as `write` would later.
    public static func checkWritable(_ url: URL) throws(HarnessError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
            throw HarnessError(.ioFailure, "is a folder, not a file", file: url.path)
        }
        let (descriptor, path) = try temporaryFile(beside: url, suffix: "check")
        close(descriptor)
        unlink(path)
    }

    /// Creates `url`'s folder when needed and a new, uniquely named file in it (`mkstemp`); returns its open
    /// descriptor and path.
    private static func temporaryFile(beside url: URL, suffix: String) throws(HarnessError) -> (Int32, String) {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw HarnessError(.ioFailure, "cannot create the folder: \(error)", file: directory.path)
        }
        var template = Array(directory.appendingPathComponent(".\(url.lastPathComponent).\(suffix)-XXXXXX").path.utf8CString)
        // A non-empty array's buffer always has a base address.
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw HarnessError(.ioFailure, "cannot create a temporary file: \(String(cString: strerror(errno)))",
                            file: url.path)
        }
        return (descriptor, template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }

    /// Writes `data` to `url` atomically, creating the parent folder when needed.
    /// - Complexity: O(n) in the size of `data`.
    public static func write(_ data: Data, to url: URL) throws(HarnessError) {
        let (descriptor, temporaryPath) = try temporaryFile(beside: url, suffix: "tmp")
        var failure: String?
        // mkstemp creates the file 0600; results and reports are meant to be shared like any other file.
        if fchmod(descriptor, 0o644) != 0 {
            failure = "chmod failed: \(String(cString: strerror(errno)))"
        }
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            // The loop only runs for a non-empty buffer, which has a base address.
            while failure == nil, offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = "write failed: \(String(cString: strerror(errno)))"
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 {
            failure = "fsync failed: \(String(cString: strerror(errno)))"
        }
        close(descriptor)
        if failure == nil, rename(temporaryPath, url.path) != 0 {
            failure = "rename failed: \(String(cString: strerror(errno)))"
        }
        if let failure {
            unlink(temporaryPath)
            throw HarnessError(.ioFailure, failure, file: url.path)
        }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
