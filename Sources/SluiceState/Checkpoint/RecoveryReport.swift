/// What recovery found and did: which checkpoint it restored, and which newer ones it had to skip and why.
public struct RecoveryReport: Sendable, CustomStringConvertible {
    /// A checkpoint recovery could not use.
    public struct Skipped: Sendable {
        /// The checkpoint id.
        public var id: UInt64
        /// Why it was unusable (corrupt, missing, unreadable).
        public var error: StateError
        /// Where the damaged file was moved for inspection, if it existed.
        public var quarantinedPath: String?
    }

    /// The checkpoint restored, or nil when the catalog was empty (a fresh start).
    public var restoredCheckpointID: UInt64?
    /// Newer checkpoints skipped, newest first.
    public var skipped: [Skipped] = []
    /// The checkpoints the manifest listed.
    public var listedCount = 0
    /// Where the sources resume.
    public var sources: [SourcePosition] = []

    /// Whether recovery had to fall back past at least one bad checkpoint.
    public var isFallback: Bool { !skipped.isEmpty }

    /// One line per fact: what was skipped and why, then what was restored.
    public var description: String {
        var lines: [String] = []
        for skipped in skipped {
            var line = "skipped checkpoint \(skipped.id): \(skipped.error)"
            if let path = skipped.quarantinedPath { line += "; moved to \(path)" }
            lines.append(line)
        }
        if let id = restoredCheckpointID {
            let positions = sources.map(\.description).joined(separator: ", ")
            let fallback = isFallback ? " (fallback: the newest good checkpoint)" : ""
            lines.append("restored checkpoint \(id)\(fallback); replaying from \(positions)")
        } else {
            lines.append("no checkpoint: starting from the beginning")
        }
        return lines.joined(separator: "\n")
    }
}
