import Foundation

/// Every default path of the harness, in one place: where suites, baselines, reports, history, trend pages
/// and cached builds live. Commands build one from their options; nothing else spells these paths.
///
/// All paths are relative to `root` (the current directory in the CLI) unless an option gave an absolute one.
/// `reportsDirectory` nil means "write no report files" (`--reports-dir -`).
public struct HarnessLayout: Sendable {
    /// The working directory paths are resolved against: the repository's work tree.
    public var root: URL
    /// Suite files (`<name>.json`). Default: `./suites`, else the package's `suites/` (`SuiteLoader`).
    public var suitesDirectory: URL
    /// Stored baselines: `<dir>/<environment-key>/<suite>.json`. Default `./baselines`.
    public var baselinesDirectory: URL
    /// Reports and results files. Default `./reports`; nil writes none.
    public var reportsDirectory: URL?
    /// Builds of other revisions, one folder per tree hash. Default `./.build-compare`.
    public var buildCacheDirectory: URL
    /// Mutation patches of the self-test. Default `./ci/selftest`.
    public var selftestDirectory: URL

    /// The default folder names.
    public static let defaultBaselines = "baselines"
    /// Reports and results files: `reports`.
    public static let defaultReports = "reports"
    /// Cached builds of other revisions: `.build-compare`.
    public static let defaultBuildCache = ".build-compare"
    /// The self-test's mutation patches: `ci/selftest`.
    public static let defaultSelftest = "ci/selftest"
    /// Folder names inside the reports folder.
    public static let historyFolder = "history"
    /// The trend site: `trend`.
    public static let trendFolder = "trend"

    /// A layout rooted at `root`, with each folder overridden when given (`"-"` for reports: none).
    public init(
        root: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath), suitesDirectory: String? = nil,
        baselinesDirectory: String? = nil, reportsDirectory: String? = nil, buildCacheDirectory: String? = nil,
        selftestDirectory: String? = nil
    ) {
        func resolve(_ path: String) -> URL {
            path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
        }
        self.root = root
        self.suitesDirectory = suitesDirectory.map(resolve) ?? SuiteLoader.defaultSuitesDirectory()
        self.baselinesDirectory = resolve(baselinesDirectory ?? Self.defaultBaselines)
        self.reportsDirectory = reportsDirectory == "-" ? nil : resolve(reportsDirectory ?? Self.defaultReports)
        self.buildCacheDirectory = resolve(buildCacheDirectory ?? Self.defaultBuildCache)
        self.selftestDirectory = resolve(selftestDirectory ?? Self.defaultSelftest)
    }

    /// `<suites>/<name>.json`.
    public func suiteFile(named name: String) -> URL {
        suitesDirectory.appendingPathComponent("\(name).json")
    }

    /// The baseline store.
    public var baselineStore: BaselineStore { BaselineStore(root: baselinesDirectory) }

    /// `<reports>/history`: one JSON-lines history per environment key.
    public var historyDirectory: URL? { reportsDirectory?.appendingPathComponent(Self.historyFolder) }

    /// `<reports>/trend`: the trend site.
    public var trendDirectory: URL { (reportsDirectory ?? root.appendingPathComponent(Self.defaultReports))
        .appendingPathComponent(Self.trendFolder) }

    /// `<reports>/<run-id>.results.json`, or nil when no reports are written.
    public func resultsFile(runID: String) -> URL? {
        reportsDirectory?.appendingPathComponent("\(runID).results.json")
    }

    /// `<reports>/<stem>` without extension (the `.md` and `.json` reports share it).
    public func reportStem(_ stem: String) -> URL? {
        reportsDirectory?.appendingPathComponent(stem)
    }

    /// The loader of this layout's suites.
    public var suiteLoader: SuiteLoader { SuiteLoader(suitesDirectory: suitesDirectory) }
}
