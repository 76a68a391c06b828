import Foundation

/// Chooses the revision a gate run judges the work tree against, and says which rule chose it.
///
/// The rules, first match wins:
/// 1. `--base REV` given: that revision (`explicit`).
/// 2. `GITHUB_BASE_REF` set (a GitHub pull request): the merge-base of HEAD with `origin/$GITHUB_BASE_REF`
///    (`pullRequestMergeBase`).
/// 3. The remote has a default branch (`origin/HEAD`) and its merge-base with HEAD is not HEAD itself: that
///    merge-base (`defaultBranchMergeBase`), i.e. the point this branch left the main line.
/// 4. Otherwise `HEAD~1` (`parentCommit`): on the main line itself, the gate judges the last commit.
///
/// A base that cannot be found (an unknown `--base`, a missing `origin/<ref>`, a repository with one commit)
/// is an error (`HarnessError.Code.missingBase`, exit 6), never a silent pass.
public struct BaseResolver: Sendable {
    /// The rule that chose the base.
    public enum Rule: String, Codable, Sendable, Hashable {
        case explicit
        case pullRequestMergeBase = "pull-request-merge-base"
        case defaultBranchMergeBase = "default-branch-merge-base"
        case parentCommit = "parent-commit"
    }

    /// The base chosen: the commit, how it was named, and the rule.
    public struct Resolution: Codable, Sendable, Hashable {
        /// The base commit's full sha.
        public var commit: String
        /// What the rule looked at, e.g. `merge-base(HEAD, origin/main)`.
        public var description: String
        /// The rule that chose it.
        public var rule: Rule
    }

    /// The git queries the rules need; `GitRepository` answers them, tests give canned answers.
    public protocol Queries {
        /// The full sha `revision` names, or nil.
        func commit(_ revision: String) -> String?
        /// The merge-base of two revisions, or nil.
        func mergeBase(_ lhs: String, _ rhs: String) -> String?
        /// The remote default branch as `origin/<name>` (from `refs/remotes/origin/HEAD`), or nil.
        func remoteDefaultBranch() -> String?
    }

    /// `GITHUB_BASE_REF` and friends; the process environment in the CLI.
    public var environment: [String: String]

    /// A resolver reading `GITHUB_BASE_REF` from `environment`.
    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Resolves the base for `explicit` (nil: no `--base`).
    /// - Throws: `HarnessError` `.missingBase` naming the rule that found nothing.
    public func resolve(explicit: String?, using git: some Queries) throws(HarnessError) -> Resolution {
        if let explicit {
            guard let commit = git.commit(explicit) else {
                throw HarnessError(
                    code: .missingBase, message: "--base \(explicit) does not name a commit (try `git log --oneline`)",
                    field: "--base")
            }
            return Resolution(commit: commit, description: explicit, rule: .explicit)
        }
        if let ref = environment["GITHUB_BASE_REF"], !ref.isEmpty {
            let remote = "origin/\(ref)"
            guard let commit = git.mergeBase("HEAD", remote) else {
                throw HarnessError(
                    code: .missingBase,
                    message: "GITHUB_BASE_REF is \(ref) but HEAD has no merge-base with \(remote); fetch it "
                        + "(actions/checkout with fetch-depth: 0) or pass --base",
                    field: "GITHUB_BASE_REF")
            }
            return Resolution(commit: commit, description: "merge-base(HEAD, \(remote))", rule: .pullRequestMergeBase)
        }
        if let branch = git.remoteDefaultBranch(), let head = git.commit("HEAD"),
            let commit = git.mergeBase("HEAD", branch), commit != head
        {
            return Resolution(commit: commit, description: "merge-base(HEAD, \(branch))", rule: .defaultBranchMergeBase)
        }
        guard let commit = git.commit("HEAD~1") else {
            throw HarnessError(
                code: .missingBase,
                message: "no base revision: HEAD has no parent, no remote default branch differs from HEAD, and "
                    + "GITHUB_BASE_REF is not set; pass --base REV",
                field: "--base")
        }
        return Resolution(commit: commit, description: "HEAD~1", rule: .parentCommit)
    }
}

extension GitRepository: BaseResolver.Queries {
    /// The sha of `git rev-parse --verify <revision>^{commit}`, or nil when it names no commit.
    /// Blocks until git exits.
    public func commit(_ revision: String) -> String? {
        try? resolve(revision)
    }

    /// The sha `git merge-base` prints, or nil when git fails or prints no sha. Blocks until git exits.
    public func mergeBase(_ lhs: String, _ rhs: String) -> String? {
        guard let outcome = try? ProcessRunner.run(["git", "-C", directory.path, "merge-base", lhs, rhs]),
            outcome.status == 0
        else { return nil }
        let sha = outcome.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return sha.count == 40 ? sha : nil
    }

    /// The short name of `refs/remotes/origin/HEAD` (e.g. `origin/main`), or nil when it is not set.
    /// Blocks until git exits.
    public func remoteDefaultBranch() -> String? {
        guard
            let outcome = try? ProcessRunner.run([
                "git", "-C", directory.path, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD",
            ]), outcome.status == 0
        else { return nil }
        let name = outcome.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return name.isEmpty ? nil : name
    }

    /// The tree hash of `commit` (`git rev-parse <commit>^{tree}`): builds are cached by it, so two commits with
    /// the same content share one build.
    public func tree(_ commit: String) -> String? {
        guard let outcome = try? ProcessRunner.run(["git", "-C", directory.path, "rev-parse", "\(commit)^{tree}"]),
            outcome.status == 0
        else { return nil }
        let sha = outcome.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return sha.count == 40 ? sha : nil
    }
}
