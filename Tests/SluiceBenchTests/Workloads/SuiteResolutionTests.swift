import Foundation
import SluiceBench
import SluiceTestKit
import Testing

/// Every committed suite file loads, and every benchmark it names is registered (the loader resolves names).
@Suite struct SuiteResolutionTests {
    static let loader = SuiteLoader(suitesDirectory: SharedFixtures.packageRoot.appendingPathComponent("suites"))

    @Test func everySuiteLoadsAndResolves() throws {
        let names = try Self.loader.availableSuites()
        for expected in ["pr", "nightly", "micro", "meso", "macro"] {
            #expect(names.contains(expected), "suites/\(expected).json is missing")
        }
        for name in names {
            let suite = try Self.loader.load(named: name)
            for entry in suite.benchmarks {
                #expect(BenchmarkRegistry.standard.benchmark(named: entry.name) != nil, "\(name): \(entry.name)")
            }
        }
    }

    @Test func tierSuitesListTheirTierAndNightlyListsThemAll() throws {
        let nightly = Set(try Self.loader.load(named: "nightly").benchmarks.map(\.name))
        for tier in ["meso", "macro"] {
            let suite = try Self.loader.load(named: tier)
            #expect(!suite.benchmarks.isEmpty, "suites/\(tier).json lists nothing")
            for entry in suite.benchmarks {
                #expect(entry.name.hasPrefix(tier + "/"), "\(tier): \(entry.name)")
                #expect(nightly.contains(entry.name), "nightly lacks \(entry.name)")
            }
        }
    }

    @Test func everyDeclaredPeerIsRegistered() {
        for benchmark in BenchmarkRegistry.standard.benchmarks {
            guard let peer = benchmark.peer else { continue }
            #expect(BenchmarkRegistry.standard.benchmark(named: peer) != nil, "\(benchmark.name) → \(peer)")
        }
    }
}
