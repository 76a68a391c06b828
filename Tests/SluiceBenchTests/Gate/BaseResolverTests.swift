import SluiceBench
import Testing

/// Canned git answers for the base rules.
struct FakeGit: BaseResolver.Queries {
    var commits: [String: String] = [:]
    var mergeBases: [String: String] = [:]
    var defaultBranch: String?

    func commit(_ revision: String) -> String? { commits[revision] }
    func mergeBase(_ lhs: String, _ rhs: String) -> String? { mergeBases["\(lhs) \(rhs)"] }
    func remoteDefaultBranch() -> String? { defaultBranch }
}

@Suite struct BaseResolverTests {
    static let head = String(repeating: "a", count: 40)
    static let parent = String(repeating: "b", count: 40)
    static let fork = String(repeating: "c", count: 40)
    static let git = FakeGit(
        commits: ["HEAD": head, "HEAD~1": parent, "v1.0": fork],
        mergeBases: ["HEAD origin/main": fork, "HEAD origin/release": parent])

    @Test func explicitBaseWins() throws {
        let resolution = try BaseResolver(environment: ["GITHUB_BASE_REF": "main"]).resolve(explicit: "v1.0", using: Self.git)
        #expect(resolution.commit == Self.fork)
        #expect(resolution.rule == .explicit)
    }

    @Test func unknownExplicitBaseIsMissingBaseExitSix() {
        #expect {
            try BaseResolver(environment: [:]).resolve(explicit: "nope", using: Self.git)
        } throws: { error in
            guard let error = error as? HarnessError else { return false }
            return error.code == .missingBase && error.exitCode == .badInput && error.field == "--base"
        }
    }

    @Test func pullRequestUsesTheMergeBaseWithGithubBaseRef() throws {
        let resolution = try BaseResolver(environment: ["GITHUB_BASE_REF": "release"]).resolve(explicit: nil, using: Self.git)
        #expect(resolution.commit == Self.parent)
        #expect(resolution.rule == .pullRequestMergeBase)
        #expect(resolution.description == "merge-base(HEAD, origin/release)")
    }

    @Test func pullRequestWithoutTheBaseBranchFetchedIsAnError() {
        #expect {
            try BaseResolver(environment: ["GITHUB_BASE_REF": "gone"]).resolve(explicit: nil, using: Self.git)
        } throws: { error in
            (error as? HarnessError)?.code == .missingBase && "\(error)".contains("origin/gone")
        }
    }

    @Test func branchOffTheDefaultBranchUsesItsMergeBase() throws {
        var git = Self.git
        git.defaultBranch = "origin/main"
        let resolution = try BaseResolver(environment: [:]).resolve(explicit: nil, using: git)
        #expect(resolution.commit == Self.fork)
        #expect(resolution.rule == .defaultBranchMergeBase)
    }

    @Test func onTheDefaultBranchItselfTheParentIsTheBase() throws {
        var git = Self.git
        git.defaultBranch = "origin/main"
        git.mergeBases["HEAD origin/main"] = Self.head  // HEAD is on the default branch
        let resolution = try BaseResolver(environment: [:]).resolve(explicit: nil, using: git)
        #expect(resolution.commit == Self.parent)
        #expect(resolution.rule == .parentCommit)
    }

    @Test func noRemoteFallsBackToTheParent() throws {
        let resolution = try BaseResolver(environment: ["GITHUB_BASE_REF": ""]).resolve(explicit: nil, using: Self.git)
        #expect(resolution.rule == .parentCommit)
        #expect(resolution.description == "HEAD~1")
    }

    @Test func aRootCommitWithNothingElseIsAMissingBaseNeverAPass() {
        let git = FakeGit(commits: ["HEAD": Self.head])
        #expect {
            try BaseResolver(environment: [:]).resolve(explicit: nil, using: git)
        } throws: { error in
            (error as? HarnessError)?.code == .missingBase && (error as? HarnessError)?.exitCode == .badInput
        }
    }
}
