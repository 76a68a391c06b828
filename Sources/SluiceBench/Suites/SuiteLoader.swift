import Foundation
import SluiceTestKit

/// Finds and loads suite files strictly.
///
/// Loading checks, in order: valid JSON; `schemaVersion` supported; every field known and of the right type
/// (through `StrictTreeDecoder`, so fields added to the shared model are accepted automatically); every
/// benchmark registered (with close matches); every parameter declared by its benchmark; run settings sane.
/// Each error names the file and the field path.
public struct SuiteLoader: Sendable {
    /// The folder holding `<name>.json` suite files.
    public var suitesDirectory: URL
    /// The benchmarks names are resolved against.
    public var registry: BenchmarkRegistry

    /// Creates a loader reading `suitesDirectory` (default: `defaultSuitesDirectory()`).
    public init(suitesDirectory: URL? = nil, registry: BenchmarkRegistry = .standard) {
        self.suitesDirectory = suitesDirectory ?? Self.defaultSuitesDirectory()
        self.registry = registry
    }

    /// `$SLUICE_SUITES_DIR`, else `./suites` when it exists, else the package's own `suites/`.
    public static func defaultSuitesDirectory() -> URL {
        if let override = ProcessInfo.processInfo.environment["SLUICE_SUITES_DIR"] {
            return URL(fileURLWithPath: override)
        }
        let local = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("suites")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: local.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return local
        }
        return SharedFixtures.packageRoot.appendingPathComponent("suites")
    }

    /// The names of the suites in the folder (file names without `.json`), sorted. Complexity: O(files).
    public func availableSuites() throws -> [String] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: suitesDirectory.path)
        } catch {
            throw HarnessError(code: .io, message: "cannot list the suites folder: \(error)", file: suitesDirectory.path)
        }
        return entries.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Whether a suite name given by a user is really a file's path (it has a `/` or ends in `.json`).
    static func looksLikePath(_ name: String) -> Bool { name.contains("/") || name.hasSuffix(".json") }

    /// Loads `<suitesDirectory>/<name>.json`. An unknown name lists the suites that exist.
    public func load(named name: String) throws -> SuiteFile {
        let url = suitesDirectory.appendingPathComponent("\(name).json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            let available = (try? availableSuites()) ?? []
            let matches = CloseMatches.find(name, in: available)
            throw HarnessError(
                code: .unknownSuite,
                message: "no suite \"\(name)\"; available: \(available.joined(separator: ", "))"
                    + (matches.isEmpty ? "" : "; close matches: \(matches.joined(separator: ", "))")
                    + (Self.looksLikePath(name) ? "; to run a suite file, use --suite-file \(name)" : ""),
                file: Self.looksLikePath(name) ? name : url.path)
        }
        return try load(file: url, expectedName: name)
    }

    /// Loads a suite file from any path. `expectedName`, when given, must equal the file's `name` field.
    public func load(file url: URL, expectedName: String? = nil) throws -> SuiteFile {
        let display = Self.displayPath(url)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw HarnessError(code: .invalidSuite, message: "cannot read the file", file: display, cause: error)
        }
        return try parse(data, file: display, expectedName: expectedName)
    }

    /// Parses and validates suite-file bytes; `file` is the name used in errors.
    public func parse(_ data: Data, file: String, expectedName: String? = nil) throws -> SuiteFile {
        let suite = try JSONFileReader.decode(
            SuiteFile.self, from: data, path: file, kind: "suite file", schemaVersion: SuiteFile.currentSchemaVersion,
            code: .invalidSuite)
        try validate(suite, file: file, expectedName: expectedName)
        return suite
    }

    private func validate(_ suite: SuiteFile, file: String, expectedName: String?) throws {
        func fail(_ field: String, _ message: String) -> HarnessError {
            HarnessError(code: .invalidSuite, message: message, file: file, field: field)
        }
        if let expectedName, suite.name != expectedName {
            throw fail("name", "expected \"\(expectedName)\" (the file's name), found \"\(suite.name)\"")
        }
        try Self.validate(suite.settings, field: "settings", fail: fail)
        var seen: Set<String> = []
        for (index, entry) in suite.benchmarks.enumerated() {
            let field = "benchmarks[\(index)]"
            let benchmark = try registry.resolve(entry.name, file: file, field: "\(field).name")
            if !seen.insert(entry.name).inserted { throw fail("\(field).name", "\"\(entry.name)\" is listed twice") }
            for (key, value) in (entry.parameters ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let spec = benchmark.parameters.first(where: { $0.name == key }) else {
                    let known = benchmark.parameters.map(\.name)
                    throw fail(
                        "\(field).parameters.\(key)",
                        "unknown parameter of \(entry.name)"
                            + (known.isEmpty ? " (it takes none)" : " (known: \(known.joined(separator: ", ")))"))
                }
                if !spec.kind.accepts(value) {
                    throw fail("\(field).parameters.\(key)", "expected \(spec.kind.rawValue), found \(value)")
                }
            }
            if let overrides = entry.settings {
                try Self.validate(suite.settings.applying(overrides), field: "\(field).settings", fail: fail)
            }
        }
    }

    private static func validate(
        _ settings: RunSettings, field: String, fail: (String, String) -> HarnessError
    ) throws {
        if settings.minRounds < 1 { throw fail("\(field).minRounds", "must be at least 1, found \(settings.minRounds)") }
        if settings.maxRounds < settings.minRounds {
            throw fail("\(field).maxRounds", "must be at least minRounds (\(settings.minRounds)), found \(settings.maxRounds)")
        }
        if settings.processes < 1 { throw fail("\(field).processes", "must be at least 1, found \(settings.processes)") }
        if let inner = settings.innerIterations, inner < 1 {
            throw fail("\(field).innerIterations", "must be at least 1, found \(inner)")
        }
        if settings.maxWarmupSeconds < 0 || !settings.maxWarmupSeconds.isFinite {
            throw fail("\(field).maxWarmupSeconds", "must be a finite number ≥ 0")
        }
        if settings.minRoundSeconds < 0 || !settings.minRoundSeconds.isFinite {
            throw fail("\(field).minRoundSeconds", "must be a finite number ≥ 0")
        }
        if let duration = settings.durationSeconds, !(duration > 0 && duration.isFinite) {
            throw fail("\(field).durationSeconds", "must be a finite number > 0 (seconds), found \(duration)")
        }
    }

    /// The path as the user would write it: relative to the working directory when inside it.
    static func displayPath(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let cwd = FileManager.default.currentDirectoryPath
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }
}

extension RunSettings {
    /// These settings with every field `overrides` sets replaced.
    public func applying(_ overrides: Overrides?) -> RunSettings {
        guard let overrides else { return self }
        var result = self
        if let value = overrides.maxWarmupSeconds { result.maxWarmupSeconds = value }
        if let value = overrides.minRounds { result.minRounds = value }
        if let value = overrides.maxRounds { result.maxRounds = value }
        if let value = overrides.minRoundSeconds { result.minRoundSeconds = value }
        if let value = overrides.innerIterations { result.innerIterations = value }
        if let value = overrides.processes { result.processes = value }
        if let value = overrides.durationSeconds { result.durationSeconds = value }
        return result
    }
}
