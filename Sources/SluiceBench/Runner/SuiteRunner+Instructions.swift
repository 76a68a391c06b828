import Foundation

extension SuiteRunner {
    /// The instruction lane in a worker of its own, started under valgrind's Callgrind (`CallgrindLauncher`).
    /// Without valgrind on this machine the instruction metrics are unavailable, with the reason; a run without
    /// worker processes cannot count them either.
    func measureInstructionsInWorker(
        _ benchmark: Benchmark, _ parameters: BenchmarkParameters, _ settings: RunSettings,
        _ metrics: [BenchmarkMetric], _ executable: URL
    ) async throws -> BenchmarkResult {
        if cancellation.isCancelled { throw RunInterrupted() }
        let wanted = metrics.filter(\.isInstructionCount)
        let launcher: CallgrindLauncher
        do {
            launcher = try CallgrindLauncher(
                executable: executable, cacheSimulation: wanted.contains(.estimatedCycles))
        } catch {
            var result = BenchmarkResult(
                name: benchmark.name, status: .passed, innerIterations: 1,
                metrics: wanted.map { .unavailable($0, reason: error.message) })
            result.processCount = 0
            return result
        }
        defer { launcher.removeOutput() }
        let request = WorkerRequest(
            op: .run, id: "\(benchmark.name)#instructions", benchmark: benchmark.name, parameters: parameters.values,
            settings: settings, metrics: wanted, lane: .instructions, policy: configuration.policy)
        var result: BenchmarkResult
        do {
            result = try await exchangeWithWorker(
                request, executable: launcher.worker, environment: launcher.environment, launcher: launcher.arguments)
        } catch let error as HarnessError {
            // valgrind's log says why a worker under it died.
            let log = launcher.log.map { $0.split(separator: "\n").suffix(5).joined(separator: " | ") } ?? ""
            throw HarnessError(code: error.code, message: error.message + (log.isEmpty ? "" : "; valgrind: \(log)"),
                               file: error.file, field: error.field)
        }
        result.processCount = 0  // the instruction lane adds no timing process
        return result
    }
}
