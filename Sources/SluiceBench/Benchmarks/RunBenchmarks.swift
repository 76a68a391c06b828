import Foundation
import SluiceManifest

/// `macro/run/filter-project`: a manifest run through the code path of `sluice run` (`ManifestReader` →
/// `ManifestCompiler` → `ManifestRunner`) on the seeded event stream, with its two peers doing the same filter and
/// projection on the same NDJSON file: jq (Debian's `jq`, a child process) and Foundation (`JSONSerialization`).
///
/// The work: keep the purchase events, write `{ts, key}` of each as one JSON line to a file. Every run's output
/// is checked against the number of purchase events, counted in the raw bytes at setup.
enum RunBenchmarks {
    static let all: [Benchmark] = [filterProject, jqPeer, foundationPeer]

    /// The jq program the manifest is equivalent to.
    static let jqProgram = #"select(.type == "purchase") | {ts, key}"#

    static let parameters = MacroBenchmarks.streamParameters + [
        BenchmarkParameterSpec("engine", .string, "sync or concurrent (filter-project only); default sync")
    ]

    /// A scratch folder for the outputs, removed with the last reference.
    final class Scratch: Sendable {
        let path: String
        init(_ path: String) { self.path = path }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    struct State {
        var stream: GeneratedEventStream
        var input: String
        var scratch: Scratch
        var folder: String { scratch.path }
        var expected: Int
        var engine = "sync"
        var written = -1
        var rejected = 0
    }

    static func manifest(input: String, output: String, engine: String) -> String {
        """
        name: filter-project
        source: file:\(input)
        stages:
          - name: purchases
            filter: '.type == "purchase"'
          - name: shape
            project: [ts, key]
        sink: file:\(output)
        engine: \(engine)
        """
    }

    static func setUp(_ parameters: BenchmarkParameters) throws -> BenchmarkSetup<State> {
        let megabytes = parameters.double("megabytes", default: 1)
        guard megabytes > 0, megabytes <= 10_000 else {
            throw HarnessError(code: .benchmarkSetup, message: "megabytes must be in (0, 10000], got \(megabytes)", field: "megabytes")
        }
        let stream = try GeneratedEventStream(
            megabytes: megabytes, seed: UInt64(parameters.int("seed", default: 42)),
            keyCount: max(1, parameters.int("keys", default: 1_000)), forceFile: true)
        guard case .file(let url) = stream.storage else {
            throw HarnessError(code: .benchmarkSetup, message: "the event stream was not written to a file")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let engine = parameters.string("engine", default: "sync")
        guard engine == "sync" || engine == "concurrent" else {
            throw HarnessError(code: .benchmarkSetup, message: "engine must be sync or concurrent, got \(engine)", field: "engine")
        }
        return BenchmarkSetup(
            state: State(stream: stream, input: url.path, scratch: Scratch(folder.path), expected: try countPurchases(url), engine: engine),
            itemsPerOperation: Double(stream.expectation.eventCount),
            bytesPerOperation: Double(stream.expectation.byteCount))
    }

    /// Purchase events in the file, counted in the raw bytes (the generator writes `"type":"purchase"` once per
    /// purchase event and nowhere else), independently of every parser measured here.
    static func countPurchases(_ url: URL) throws -> Int {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        let needle = Array(#""type":"purchase""#.utf8)
        return data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var count = 0
            var index = 0
            let last = bytes.count - needle.count
            while index <= last {
                if bytes[index] == needle[0] && bytes[index + 1] == needle[1] {
                    var matches = true
                    for offset in 2..<needle.count where bytes[index + offset] != needle[offset] {
                        matches = false
                        break
                    }
                    if matches {
                        count += 1
                        index += needle.count
                        continue
                    }
                }
                index += 1
            }
            return count
        }
    }

    static func checkOutput(_ state: State, lines: Int) -> String? {
        lines == state.expected ? nil : "wrote \(lines) lines, the stream holds \(state.expected) purchase events"
    }

    static func lineCount(_ path: String) -> Int {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else { return -1 }
        return data.withUnsafeBytes { raw in raw.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }
    }

    static let filterProject = Benchmark.asynchronous(
        "macro/run/filter-project",
        summary: "sluice run on the event stream: manifest read and compiled, filter .type == \"purchase\", "
            + "project {ts, key}, NDJSON to a file (the code path of `sluice run`)",
        parameters: parameters,
        setup: { parameters in try setUp(parameters) },
        operation: { state in
            let output = state.folder + "/sluice.ndjson"
            let text = manifest(input: state.input, output: output, engine: state.engine)
            let plan = try ManifestCompiler.compile(try ManifestReader().read(text: text, file: "filter-project.yaml"))
            let summary = try await ManifestRunner(plan: plan).run()
            state.written = summary.documentsWritten
            state.rejected = summary.documentsRejected
        },
        check: { state in
            if state.rejected != 0 { return "\(state.rejected) documents were rejected" }
            return checkOutput(state, lines: state.written) ?? checkOutput(state, lines: lineCount(state.folder + "/sluice.ndjson"))
        }
    ).peer("macro/run/filter-project/jq")

    /// jq's path, if installed.
    static let jqPath = ["/usr/bin/jq", "/usr/local/bin/jq"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static let jqPeer = Benchmark.synchronous(
        "macro/run/filter-project/jq",
        summary: "the peer: jq -c '\(jqProgram)' on the same file, output to a file (Debian's jq, a child process)",
        parameters: MacroBenchmarks.streamParameters,
        setup: { parameters in
            guard jqPath != nil else {
                throw HarnessError(code: .benchmarkSetup, message: "jq is not installed (apt-get install jq)")
            }
            return try setUp(parameters)
        },
        operation: { state in
            let process = Process()
            // setup checked that jq exists.
            process.executableURL = URL(fileURLWithPath: jqPath ?? "/usr/bin/jq")
            process.arguments = ["-c", jqProgram, state.input]
            let output = state.folder + "/jq.ndjson"
            guard FileManager.default.createFile(atPath: output, contents: nil) else {
                throw HarnessError(code: .benchmarkSetup, message: "cannot create \(output) for jq's output")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            defer { try? handle.close() }
            process.standardOutput = handle
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw HarnessError(code: .benchmarkSetup, message: "jq exited with status \(process.terminationStatus)")
            }
        },
        check: { state in checkOutput(state, lines: lineCount(state.folder + "/jq.ndjson")) })

    static let foundationPeer = Benchmark.synchronous(
        "macro/run/filter-project/foundation",
        summary: "the peer: the same filter and projection with Foundation (split lines, JSONSerialization in and out)",
        parameters: MacroBenchmarks.streamParameters,
        setup: { parameters in try setUp(parameters) },
        operation: { state in
            let data = try Data(contentsOf: URL(fileURLWithPath: state.input))
            var output = Data()
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                guard let event = try JSONSerialization.jsonObject(with: line) as? [String: Any],
                    event["type"] as? String == "purchase"
                else { continue }
                let projected: [String: Any] = ["ts": event["ts"] ?? NSNull(), "key": event["key"] ?? NSNull()]
                output.append(try JSONSerialization.data(withJSONObject: projected))
                output.append(UInt8(ascii: "\n"))
            }
            try output.write(to: URL(fileURLWithPath: state.folder + "/foundation.ndjson"))
        },
        check: { state in checkOutput(state, lines: lineCount(state.folder + "/foundation.ndjson")) })
}
