import Foundation

/// The git operations a commit comparison needs, run with the `git` command in one repository.
public struct GitRepository: Sendable {
    /// The repository's work tree.
    public let directory: URL

    /// A repository rooted at (or containing) `directory`.
    public init(directory: URL) {
        self.directory = directory
    }

    /// The full commit sha `revision` names (a branch, tag, sha or expression such as `HEAD~1`).
    /// - Throws: `HarnessError` `.unknownRevision` when it names no commit, `.notARepository` outside git.
    public func resolve(_ revision: String) throws(HarnessError) -> String {
        guard !revision.hasPrefix("-") else {
            throw HarnessError(code: .unknownRevision, message: "\"\(revision)\" is not a revision")
        }
        let outcome = try git(["rev-parse", "--verify", "--quiet", "\(revision)^{commit}"])
        let sha = outcome.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard outcome.status == 0, sha.count == 40 else {
            throw HarnessError(
                code: .unknownRevision,
                message: "\"\(revision)\" does not name a commit in \(directory.path) (try `git log --oneline`)")
        }
        return sha
    }

    /// The tracked files with uncommitted changes (`git status --porcelain --untracked-files=no`).
    /// Complexity: one git call.
    public func uncommittedChanges() throws(HarnessError) -> [String] {
        let outcome = try git(["status", "--porcelain", "--untracked-files=no"])
        guard outcome.status == 0 else {
            throw HarnessError(
                code: .notARepository, message: "\(directory.path) is not a git work tree: \(outcome.stderrText)")
        }
        return outcome.stdoutText.split(separator: "\n").map { String($0.dropFirst(3)) }
    }

    /// Writes the tree of `commit` into `destination` (created), the way `git worktree add` would check it out,
    /// but without registering a worktree in the repository (`git archive | tar -x`): the cache folder can be
    /// deleted at any time and the repository's worktree list is never touched. Submodules are not included.
    public func export(_ commit: String, to destination: URL) throws(HarnessError) {
        do {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            throw HarnessError(code: .checkoutFailed, message: "cannot create \(destination.path): \(error)")
        }
        let outcome: ProcessRunner.Outcome
        do {
            outcome = try ProcessRunner.run([
                "sh", "-c", "git -C \"$1\" archive --format=tar \"$2\" | tar -x -C \"$3\"", "export",
                directory.path, commit, destination.path,
            ])
        } catch {
            throw HarnessError(code: .checkoutFailed, message: "cannot run git archive: \(error)")
        }
        guard outcome.status == 0 else {
            throw HarnessError(
                code: .checkoutFailed, message: "git archive \(commit) failed: \(outcome.stderrText)")
        }
    }

    private func git(_ arguments: [String]) throws(HarnessError) -> ProcessRunner.Outcome {
        do {
            return try ProcessRunner.run(["git", "-C", directory.path] + arguments)
        } catch {
            throw HarnessError(code: .notARepository, message: "cannot run git: \(error)")
        }
    }
}
