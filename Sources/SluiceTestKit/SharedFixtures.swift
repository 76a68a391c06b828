import Foundation

/// Locates the read-only fixtures in `../shared` (the JSON corpus and JSONTestSuite) beside the package.
///
/// The package root is found from this file's own path, so tests work from any working directory.
/// `SLUICE_SHARED_DIR` overrides the location.
public enum SharedFixtures {
    /// The package's root folder (the one holding `Package.swift`).
    public static let packageRoot: URL = {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // SluiceTestKit
            .deletingLastPathComponent()  // Sources
            .deletingLastPathComponent()
    }()

    /// The `shared` folder: `$SLUICE_SHARED_DIR`, else `<package root>/../shared`.
    public static var sharedDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["SLUICE_SHARED_DIR"] {
            return URL(fileURLWithPath: override)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// `shared/corpus`: the standard JSON benchmark files.
    public static var corpusDirectory: URL { sharedDirectory.appendingPathComponent("corpus") }

    /// `shared/conformance/JSONTestSuite/test_parsing`: the parser conformance files.
    public static var conformanceDirectory: URL {
        sharedDirectory.appendingPathComponent("conformance/JSONTestSuite/test_parsing")
    }

    /// The names of the corpus files, without extension, sorted: `canada`, `citm_catalog`, ...
    public static let corpusNames = ["canada", "citm_catalog", "gsoc-2018", "marine_ik", "mesh", "numbers", "twitter"]

    /// The bytes of `corpus/<name>.json`.
    public static func corpusFile(_ name: String) throws -> [UInt8] {
        let url = corpusDirectory.appendingPathComponent("\(name).json")
        return Array(try Data(contentsOf: url))
    }
}
