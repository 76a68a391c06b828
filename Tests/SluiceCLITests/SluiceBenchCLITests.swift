import Testing

@Suite struct SluiceBenchCLISmokeTests {
    @Test func binaryRunsAndNamesItself() throws {
        let result = try CLIRunner.run("sluice-bench", [])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("sluice-bench "))
    }
}
