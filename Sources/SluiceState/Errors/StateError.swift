/// An error from a state backend, the checkpoint catalog, the replay journal or a checkpointed sink.
///
/// Every error names what failed (`code`), says why in words (`message`), and carries the file or folder
/// involved (`path`) and the operating-system error number where there is one. No state or output is
/// dropped because of an error: the operation that failed leaves what was already durable untouched.
public struct StateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, extensible classification of state and checkpoint errors.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: Hashable, Sendable {
            case checkpointFolderMissing
            case checkpointFolderUnreadable
            case corruptSnapshot
            case corruptCatalog
            case corruptJournal
            case noUsableSnapshot
            case diskFull
            case permissionDenied
            case ioFailure
            case unsupportedFormat
            case invalidRecord
        }

        let base: Base

        /// The checkpoint folder does not exist and the caller did not ask for it to be created.
        public static let checkpointFolderMissing = Code(base: .checkpointFolderMissing)
        /// The checkpoint folder exists but cannot be listed or read.
        public static let checkpointFolderUnreadable = Code(base: .checkpointFolderUnreadable)
        /// A snapshot file failed its checksum or is structurally damaged.
        public static let corruptSnapshot = Code(base: .corruptSnapshot)
        /// The catalog manifest is damaged (bad checksum, bad line, unknown version).
        public static let corruptCatalog = Code(base: .corruptCatalog)
        /// A replay-journal entry (other than a torn last line) is damaged.
        public static let corruptJournal = Code(base: .corruptJournal)
        /// The catalog lists snapshots, but every one of them is corrupt or missing.
        public static let noUsableSnapshot = Code(base: .noUsableSnapshot)
        /// A write failed because the device (or the injected quota) is full (`ENOSPC`, `EDQUOT`).
        public static let diskFull = Code(base: .diskFull)
        /// The file system refused access (`EACCES`, `EPERM`, `EROFS`).
        public static let permissionDenied = Code(base: .permissionDenied)
        /// Any other I/O failure; `errno` says which.
        public static let ioFailure = Code(base: .ioFailure)
        /// A file written by an unknown format version.
        public static let unsupportedFormat = Code(base: .unsupportedFormat)
        /// A source record a stage cannot process (bad data, not a crash).
        public static let invalidRecord = Code(base: .invalidRecord)

        /// The code in words, e.g. `disk full`.
        public var description: String {
            switch base {
            case .checkpointFolderMissing: "checkpoint folder missing"
            case .checkpointFolderUnreadable: "checkpoint folder unreadable"
            case .corruptSnapshot: "corrupt snapshot"
            case .corruptCatalog: "corrupt catalog"
            case .corruptJournal: "corrupt journal"
            case .noUsableSnapshot: "no usable snapshot"
            case .diskFull: "disk full"
            case .permissionDenied: "permission denied"
            case .ioFailure: "I/O failure"
            case .unsupportedFormat: "unsupported format"
            case .invalidRecord: "invalid record"
            }
        }
    }

    /// What kind of error this is.
    public var code: Code
    /// What happened and, where it helps, what to do about it.
    public var message: String
    /// The file or folder involved, when there is one.
    public var path: String?
    /// The operating-system error number, when the error came from a system call.
    public var errno: Int32?

    /// Creates an error.
    public init(code: Code, message: String, path: String? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.errno = errno
    }

    /// Maps a failed system call's `errno` to the matching code: full disk, permission, or other I/O.
    public static func system(_ operation: String, path: String?, errno value: Int32) -> StateError {
        let code: Code =
            switch value {
            case ENOSPC, EDQUOT: .diskFull
            case EACCES, EPERM, EROFS: .permissionDenied
            default: .ioFailure
            }
        let reason = String(cString: strerror(value))
        return StateError(code: code, message: "\(operation) failed: \(reason)", path: path, errno: value)
    }

    /// `code: message (path)`.
    public var description: String {
        var text = "\(code): \(message)"
        if let path { text += " (\(path))" }
        return text
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
