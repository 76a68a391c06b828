import Foundation
import SluiceTestKit

/// Peers from Foundation, measured on the same bytes as Sluice's own parsers.
enum FoundationBenchmarks {
    static let all: [Benchmark] = SharedFixtures.corpusNames.map(parse)

    struct ParseState {
        var data: Data
        var expectedTopLevelCount: Int
        var lastTopLevelCount = -1
    }

    static func topLevelCount(_ value: Any) -> Int {
        if let object = value as? [String: Any] { return object.count }
        if let array = value as? [Any] { return array.count }
        return -1
    }

    /// `micro/foundation/<file>`: `JSONSerialization.jsonObject(with:)` on a whole corpus file.
    static func parse(_ file: String) -> Benchmark {
        Benchmark.synchronous(
            "micro/foundation/\(file)",
            summary: "Foundation JSONSerialization parsing corpus/\(file).json whole (the peer)",
            setup: { (_: BenchmarkParameters) throws -> BenchmarkSetup<ParseState> in
                let bytes = try CorpusFiles.load(file)
                let data = Data(bytes)
                let expected = topLevelCount(try JSONSerialization.jsonObject(with: data))
                return BenchmarkSetup(
                    state: ParseState(data: data, expectedTopLevelCount: expected), itemsPerOperation: 1,
                    bytesPerOperation: Double(bytes.count))
            },
            operation: { (state: inout ParseState) throws in
                state.lastTopLevelCount = topLevelCount(try JSONSerialization.jsonObject(with: state.data))
            },
            check: { (state: ParseState) -> String? in
                state.lastTopLevelCount == state.expectedTopLevelCount
                    ? nil
                    : "top level holds \(state.lastTopLevelCount) members, expected \(state.expectedTopLevelCount)"
            })
    }
}

/// Loads corpus files for benchmarks, with errors that say where the corpus was looked for.
enum CorpusFiles {
    static func load(_ name: String) throws -> [UInt8] {
        do {
            return try SharedFixtures.corpusFile(name)
        } catch {
            let path = SharedFixtures.corpusDirectory.appendingPathComponent("\(name).json").path
            throw HarnessError(
                code: .benchmarkSetup,
                message: "cannot read the corpus file (set SLUICE_SHARED_DIR to the folder holding corpus/): \(error)",
                file: path)
        }
    }
}
