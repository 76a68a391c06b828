import Foundation
import SluiceBench
import SluiceTestKit
import Testing

@Suite struct SuiteLoaderTests {
    let loader = SuiteLoader(suitesDirectory: SharedFixtures.packageRoot.appendingPathComponent("suites"))

    static let valid = """
        {"schemaVersion": 1, "name": "t", "tier": "micro",
         "settings": {"maxWarmupSeconds": 0.1, "minRounds": 2, "maxRounds": 3, "minRoundSeconds": 0.01, "processes": 1},
         "metrics": ["wall_time"],
         "benchmarks": [{"name": "selftest/spin", "parameters": {"work": 10}},
                        {"name": "selftest/allocations", "settings": {"minRounds": 3}},
                        {"name": "micro/harness/histogram-record"},
                        {"name": "micro/foundation/twitter"}]}
        """

    /// The valid suite with `edit` applied to its JSON object.
    func parse(_ edit: (inout [String: Any]) -> Void) throws -> SuiteFile {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(Self.valid.utf8)) as? [String: Any])
        edit(&object)
        return try loader.parse(try JSONSerialization.data(withJSONObject: object), file: "suites/t.json")
    }

    func error(_ edit: (inout [String: Any]) -> Void) throws -> HarnessError {
        do {
            _ = try parse(edit)
        } catch let error as HarnessError {
            #expect(error.file == "suites/t.json")
            return error
        }
        Issue.record("expected an error")
        return HarnessError(code: .io, message: "none")
    }

    static func setBenchmark(_ index: Int, _ object: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var benchmarks = object["benchmarks"] as? [[String: Any]] ?? []
        edit(&benchmarks[index])
        object["benchmarks"] = benchmarks
    }

    @Test func aValidSuiteLoads() throws {
        let suite = try parse { _ in }
        #expect(suite.benchmarks.map(\.name).count == 4)
        #expect(suite.benchmarks[0].parameters?["work"] == .int(10))
        #expect(suite.settings.applying(suite.benchmarks[1].settings).minRounds == 3)
    }

    @Test func wrongTypeNamesTheFieldPath() throws {
        let error = try error { Self.setBenchmark(3, &$0) { $0["settings"] = ["minRounds": "five"] } }
        #expect(error.code == .invalidSuite)
        #expect(error.field == "benchmarks[3].settings.minRounds")
        #expect(error.description == #"suites/t.json: benchmarks[3].settings.minRounds: expected an integer, found "five""#)
    }

    /// The suite is read by the project's strict parser: a key repeated in one object (readers differ on which
    /// value wins) and a trailing comma are errors naming the file, and the key or the position.
    @Test func aRepeatedKeyOrATrailingCommaIsAnError() throws {
        let repeated = Self.valid.replacingOccurrences(of: #""minRounds": 2, "#, with: #""minRounds": 2, "minRounds": 4, "#)
        let error = #expect(throws: HarnessError.self) { try loader.parse(Data(repeated.utf8), file: "suites/t.json") }
        #expect(error?.field == "settings.minRounds" && error?.message == "the key 'minRounds' appears twice in one object",
            "\(String(describing: error))")
        let comma = Self.valid.replacingOccurrences(of: #"["wall_time"]"#, with: #"["wall_time",]"#)
        let syntax = #expect(throws: HarnessError.self) { try loader.parse(Data(comma.utf8), file: "suites/t.json") }
        #expect(syntax?.file == "suites/t.json" && syntax?.message.hasPrefix("not valid JSON (offset ") == true,
            "\(String(describing: syntax))")
    }

    /// `"schemaVersion": 1.0` is the integer 1, as it was under Foundation's decoder; a number beyond a Double's
    /// range is an error naming its field, not an infinity.
    @Test func anIntegralVersionIsAnIntegerAndAnOutOfRangeNumberIsAnError() throws {
        let version = Self.valid.replacingOccurrences(of: #""schemaVersion": 1,"#, with: #""schemaVersion": 1.0,"#)
        #expect(try loader.parse(Data(version.utf8), file: "suites/t.json").name == "t")
        let huge = Self.valid.replacingOccurrences(of: #""minRoundSeconds": 0.01"#, with: #""minRoundSeconds": 1e400"#)
        let error = #expect(throws: HarnessError.self) { try loader.parse(Data(huge.utf8), file: "suites/t.json") }
        #expect(error?.field == "settings.minRoundSeconds", "\(String(describing: error))")
    }

    /// A soak or chaos benchmark's `durationSeconds` must be a positive number of seconds.
    @Test(arguments: [-3.0, 0.0])
    func aDurationThatIsNotPositiveIsAnError(duration: Double) throws {
        let error = try error { Self.setBenchmark(0, &$0) { $0["settings"] = ["durationSeconds": duration] } }
        #expect(error.field == "benchmarks[0].settings.durationSeconds", "\(error)")
    }

    @Test func unknownFieldIsAnError() throws {
        let error = try error { Self.setBenchmark(1, &$0) { $0["colour"] = "red" } }
        #expect(error.field == "benchmarks[1].colour")
        #expect(error.message.hasPrefix("unknown field"))
        let topLevel = try self.error { $0["extra"] = 1 }
        #expect(topLevel.field == "extra")
        let nested = try self.error { $0["settings"] = ["maxWarmupSeconds": 1, "minRounds": 1, "maxRounds": 1,
            "minRoundSeconds": 0.1, "processes": 1, "minRoundSecs": 2] }
        #expect(nested.field == "settings.minRoundSecs")
    }

    @Test func unknownBenchmarkListsCloseMatches() throws {
        let error = try error { Self.setBenchmark(0, &$0) { $0["name"] = "selftest/spinn" } }
        #expect(error.code == .unknownBenchmark)
        #expect(error.field == "benchmarks[0].name")
        #expect(error.message.contains("close matches: selftest/spin"))
        let foundation = try self.error { Self.setBenchmark(3, &$0) { $0["name"] = "micro/foundation/twiter" } }
        #expect(foundation.message.contains("micro/foundation/twitter"))
    }

    @Test func badSchemaVersionIsNamed() throws {
        let newer = try error { $0["schemaVersion"] = 2 }
        #expect(newer.field == "schemaVersion")
        #expect(newer.message.contains("unsupported schema version 2"))
        let missing = try error { $0["schemaVersion"] = nil }
        #expect(missing.field == "schemaVersion")
        #expect(missing.message == "missing required field")
    }

    @Test func unknownEnumValuesListTheAcceptedOnes() throws {
        let tier = try error { $0["tier"] = "mezo" }
        #expect(tier.field == "tier")
        #expect(tier.message.contains("micro, meso"))
        let metric = try error { $0["metrics"] = ["wall_time", "allocs"] }
        #expect(metric.field == "metrics[1]")
    }

    @Test func undeclaredOrMistypedParametersAreErrors() throws {
        let unknown = try error { Self.setBenchmark(0, &$0) { $0["parameters"] = ["wrok": 1] } }
        #expect(unknown.field == "benchmarks[0].parameters.wrok")
        #expect(unknown.message.contains("work"))
        let mistyped = try error { Self.setBenchmark(0, &$0) { $0["parameters"] = ["work": "many"] } }
        #expect(mistyped.field == "benchmarks[0].parameters.work")
    }

    @Test func insaneSettingsAreErrors() throws {
        let error = try error { Self.setBenchmark(2, &$0) { $0["settings"] = ["maxRounds": 1] } }
        #expect(error.field == "benchmarks[2].settings.maxRounds")
    }

    @Test func missingRequiredFieldIsNamed() throws {
        let error = try error { $0["name"] = nil }
        #expect(error.field == "name")
        #expect(error.message == "missing required field")
    }

    @Test(arguments: ["", "{", "[1, 2]", "{\"schemaVersion\": 1, \"name\": "])
    func damagedFilesAreClearErrors(text: String) throws {
        #expect {
            _ = try loader.parse(Data(text.utf8), file: "suites/bad.json")
        } throws: { error in
            guard let error = error as? HarnessError else { return false }
            return error.file == "suites/bad.json" && error.code == .invalidSuite && !error.message.isEmpty
        }
    }

    @Test func everyCommittedSuiteLoadsAndResolves() throws {
        let names = try loader.availableSuites()
        for tier in ["pr", "nightly", "micro", "meso", "macro", "soak", "chaos"] {
            #expect(names.contains(tier), "suites/\(tier).json is missing")
        }
        for name in names {
            let suite = try loader.load(named: name)
            #expect(suite.name == name)
        }
    }

    /// ci/nightly runs `nightly` (rounds), the soak and chaos drivers at nightly size, and `distributed` (the
    /// Redis Streams scale-out drivers).
    @Test func nightlyRunsEveryRegisteredBenchmarkOfTheTiers() throws {
        var nightly = Set(try loader.load(named: "nightly").benchmarks.map(\.name))
        #expect(nightly.allSatisfy { BenchmarkRegistry.standard.benchmark(named: $0)?.isDriver == false })
        for suite in ["soak-nightly", "chaos-nightly", "distributed"] {
            nightly.formUnion(try loader.load(named: suite).benchmarks.map(\.name))
        }
        #expect(nightly == Set(BenchmarkRegistry.standard.names))
    }

    @Test func unknownSuiteNamesTheAvailableOnes() throws {
        #expect {
            _ = try loader.load(named: "pq")
        } throws: { error in
            (error as? HarnessError)?.message.contains("close matches: pr") == true
        }
    }

    /// A path given where a suite name goes: the error points at `--suite-file`.
    @Test func aSuitePathGivenAsANamePointsAtSuiteFile() throws {
        #expect {
            _ = try loader.load(named: "/tmp/my-suite.json")
        } throws: { error in
            (error as? HarnessError).map {
                $0.message.contains("to run a suite file, use --suite-file /tmp/my-suite.json")
                    && $0.file == "/tmp/my-suite.json"
            } == true
        }
        #expect {
            _ = try loader.load(named: "pq")
        } throws: { error in
            (error as? HarnessError)?.message.contains("--suite-file") == false
        }
    }
}
