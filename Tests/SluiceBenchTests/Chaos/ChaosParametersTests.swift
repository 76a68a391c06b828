@testable import SluiceBench
import SluiceTestKit
import Testing

/// The chaos benchmark's configuration comes from its suite parameters, every field by its name.
@Suite struct ChaosParametersTests {
    static func configuration(_ values: [String: JSONParameter]) -> ChaosConfiguration {
        ChaosBenchmarks.makeConfiguration(DriverContext(
            parameters: BenchmarkParameters(values), durationSeconds: 3, clock: ManualClock(), memory: .process))
    }

    @Test func theSupervisorsRestartDelaysAreSuiteParameters() {
        let defaults = Self.configuration([:])
        #expect(defaults.restartInitialDelaySeconds == ChaosConfiguration().restartInitialDelaySeconds)
        #expect(defaults.restartMaxDelaySeconds == ChaosConfiguration().restartMaxDelaySeconds)
        let set = Self.configuration(["restartInitialDelaySeconds": .double(0.05), "restartMaxDelaySeconds": .double(1.5)])
        #expect(set.restartInitialDelaySeconds == 0.05 && set.restartMaxDelaySeconds == 1.5)
        #expect(set.durationSeconds == 3)
        // Both are declared, so a suite that sets them passes the parameter check.
        let declared = Set(ChaosBenchmarks.parameters.map(\.name))
        #expect(declared.isSuperset(of: ["restartInitialDelaySeconds", "restartMaxDelaySeconds"]))
    }
}
