import Foundation
import SluiceTestKit

/// The JSONTestSuite parsing files, by name, for `@Test(arguments:)`.
enum ConformanceFiles {
    static let names: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: SharedFixtures.conformanceDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: SharedFixtures.conformanceDirectory.appendingPathComponent(name)))
    }
}
