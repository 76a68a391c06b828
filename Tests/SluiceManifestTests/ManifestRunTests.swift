import Foundation
import SluiceJSON
import SluiceManifest
import SluiceState
import SluiceTestKit
import Testing

/// Runs the manifests in `examples/` (and variants) through `ManifestRunner`, the code path of `sluice run`.
@Suite struct ManifestRunTests {
    static let examples = SharedFixtures.packageRoot.appendingPathComponent("examples").path
    static let logPath = examples + "/data/app-log.ndjson"

    /// Reads an example manifest and points its sink at `sink` (and its source at the absolute example data).
    static func plan(_ name: String, sink: String, edit: (String) -> String = { $0 }) throws -> CompiledPlan {
        var text = try String(contentsOfFile: examples + "/" + name, encoding: .utf8)
        text = text.replacingOccurrences(of: "file:examples/data/app-log.ndjson", with: "file:" + logPath)
        text = text.replacingOccurrences(of: "\"stdout:\"", with: "\"file:\(sink)\"")
        return try ManifestCompiler.compile(try ManifestReader().read(text: edit(text), file: name))
    }

    static func lines(_ path: String) throws -> [JSONValue] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONDocumentParser.parse(Array($0.utf8))
        }
    }

    /// The example log's documents, parsed independently of the pipeline.
    static func logDocuments() throws -> [JSONValue] { try lines(logPath) }

    @Test(arguments: ["sync", "concurrent"])
    func errorLogExampleKeepsTheErrorLinesProjected(engine: String) async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let plan = try Self.plan("error-log.yaml", sink: folder.file("out.ndjson")) {
            $0.replacingOccurrences(of: "engine: sync", with: "engine: \(engine)")
        }
        let summary = try await ManifestRunner(plan: plan).run()
        let expected = try Self.logDocuments().filter { $0["level"] == .string("error") }.map { document in
            JSONValue.object(["ts", "service", "message"].map { JSONMember(key: $0, value: document[$0] ?? .null) })
        }
        #expect(!expected.isEmpty)
        #expect(try Self.lines(folder.file("out.ndjson")) == expected)
        #expect(summary.documentsDecoded == 200)
        #expect(summary.documentsWritten == expected.count)
        #expect(summary.documentsRejected == 0)
    }

    @Test func countPerServiceExampleCountsSumsAndTakesTheMaximum() async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let plan = try Self.plan("count-per-service.yaml", sink: folder.file("out.ndjson"))
        _ = try await ManifestRunner(plan: plan).run()
        var expected: [String: (count: Int64, bytes: Int64, worst: Double)] = [:]
        var order: [String] = []
        for document in try Self.logDocuments() {
            guard case .string(let level)? = document["level"], level == "error" || level == "warn",
                case .string(let service)? = document["service"], case .number(let bytes)? = document["bytes"],
                case .number(let latency)? = document["latency_ms"]
            else { continue }
            if expected[service] == nil { order.append(service) }
            var row = expected[service] ?? (0, 0, -Double.infinity)
            row.count += 1
            row.bytes += bytes.int64Value ?? 0
            row.worst = max(row.worst, latency.doubleValue)
            expected[service] = row
        }
        let output = try Self.lines(folder.file("out.ndjson"))
        #expect(output.count == order.count)
        for (index, service) in order.enumerated() {
            let row = output[index]
            #expect(row["service"] == .string(service))
            #expect(row["count"] == .number(.int(expected[service]!.count)))
            #expect(row["bytes"] == .number(.int(expected[service]!.bytes)))
            #expect(row["worst_latency_ms"].map { if case .number(let n) = $0 { n.doubleValue } else { .nan } } == expected[service]!.worst)
        }
    }

    /// `examples/errors-per-minute.yaml`: a row per service and minute of event time, the same as grouping the log's
    /// warnings and errors by hand (the log is in time order, so nothing is late).
    @Test func errorsPerMinuteExampleAggregatesPerServiceAndMinute() async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let plan = try Self.plan("errors-per-minute.yaml", sink: folder.file("out.ndjson"))
        #expect(plan.description.contains("tumbling 60000 ms on .ts, out of order up to 5000 ms"))
        #expect(plan.channels.map { "\($0.from) -> \($0.to)" } == [
            "source -> decode", "decode -> problems+by-service", "problems+by-service -> per-minute/watermarks",
            "per-minute/watermarks -> per-minute", "per-minute -> per-minute/rows", "per-minute/rows -> sink",
        ])
        let summary = try await ManifestRunner(plan: plan).run()
        struct Row: Hashable { var service: String; var start: Int64; var count: Int64; var bytes: Int64; var worst: Double }
        var expected: [String: Row] = [:]
        for document in try Self.logDocuments() {
            guard case .string(let level)? = document["level"], level == "error" || level == "warn",
                case .string(let service)? = document["service"], case .number(let ts)? = document["ts"],
                case .number(let bytes)? = document["bytes"], case .number(let latency)? = document["latency_ms"]
            else { continue }
            let start = ts.int64Value! / 60_000 * 60_000
            var row = expected["\(service) \(start)"] ?? Row(service: service, start: start, count: 0, bytes: 0, worst: -.infinity)
            row.count += 1
            row.bytes += bytes.int64Value!
            row.worst = max(row.worst, latency.doubleValue)
            expected["\(service) \(start)"] = row
        }
        #expect(Set(expected.values.map(\.start)).count > 1, "the example log should span more than one minute")
        let output = try Self.lines(folder.file("out.ndjson")).map { row -> Row in
            guard case .string(let service)? = row["service"], case .number(let start)? = row["window_start"],
                case .number(let end)? = row["window_end"], case .number(let count)? = row["count"],
                case .number(let bytes)? = row["bytes"], case .number(let worst)? = row["worst_latency_ms"],
                end.int64Value == start.int64Value.map({ $0 + 60_000 })
            else { return Row(service: "unexpected row \(row)", start: 0, count: 0, bytes: 0, worst: 0) }
            return Row(service: service, start: start.int64Value!, count: count.int64Value!, bytes: bytes.int64Value!, worst: worst.doubleValue)
        }
        #expect(Set(output) == Set(expected.values))
        #expect(output.count == expected.count)
        #expect(summary.documentsRejected == 0)
    }

    /// A valid number beyond `Double`'s range (`1e400`), and a sum that overflows, are written as jq writes them
    /// (the largest finite number of their sign) instead of failing the run and losing the batch in hand.
    @Test(arguments: ["sync", "concurrent"])
    func numbersBeyondDoubleAreWrittenAsJQWritesThem(engine: String) async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let input = [#"{"k":"a","v":1}"#, #"{"k":"a","v":1e400}"#, #"{"k":"b","v":-1e400}"#, #"{"k":"c","v":1e308}"#,
                     #"{"k":"c","v":1e308}"#, #"{"k":"a","v":2}"#]
        try (input.joined(separator: "\n") + "\n").write(toFile: folder.file("in.ndjson"), atomically: true, encoding: .utf8)
        for (name, stages, expected) in [
            ("copy", "  - project: [k, v]", [
                #"{"k":"a","v":1}"#, #"{"k":"a","v":1.7976931348623157e+308}"#, #"{"k":"b","v":-1.7976931348623157e+308}"#,
                #"{"k":"c","v":1e+308}"#, #"{"k":"c","v":1e+308}"#, #"{"k":"a","v":2}"#,
            ]),
            ("sum", "  - key: .k\n  - aggregate: {total: sum(.v)}", [
                #"{"k":"a","total":1.7976931348623157e+308}"#, #"{"k":"b","total":-1.7976931348623157e+308}"#,
                #"{"k":"c","total":1.7976931348623157e+308}"#,
            ]),
        ] {
            let manifest = """
                source: file:\(folder.file("in.ndjson"))
                stages:
                \(stages)
                sink: file:\(folder.file("\(name).ndjson"))
                engine: \(engine)
                """
            let plan = try ManifestCompiler.compile(try ManifestReader().read(text: manifest, file: "m.yaml"))
            let summary = try await ManifestRunner(plan: plan).run()
            #expect(summary.documentsWritten == expected.count && summary.documentsRejected == 0, "\(name) \(engine)")
            let written = try String(contentsOfFile: folder.file("\(name).ndjson"), encoding: .utf8)
            #expect(written == expected.joined(separator: "\n") + "\n", "\(name) \(engine)")
        }
    }

    /// A window's rows come out when the watermark passes its end, in first-seen key order; a document later than
    /// the watermark allows, one without a time, and one whose summed field is not a number go to the dead-letter
    /// sink, named.
    @Test(arguments: ["sync", "concurrent"])
    func windowedAggregateFiresOnTheWatermarkAndDeadLettersLateAndBadDocuments(engine: String) async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let input = [
            #"{"k":"a","ts":1000,"v":1}"#, #"{"k":"b","ts":1500,"v":2}"#, #"{"k":"a","ts":900,"v":3}"#,
            #"{"k":"a","ts":2600,"v":4}"#, #"{"k":"b","ts":1200,"v":5}"#, #"{"k":"a","v":1}"#,
            #"{"k":"b","ts":3000,"v":"x"}"#, #"{"k":"b","ts":3100,"v":6}"#,
        ]
        try (input.joined(separator: "\n") + "\n").write(toFile: folder.file("in.ndjson"), atomically: true, encoding: .utf8)
        let manifest = """
            source: file:\(folder.file("in.ndjson"))
            stages:
              - key: .k
              - name: per-2s
                aggregate: {n: count, total: sum(.v)}
                window: {tumbling: 2s, time: .ts, out-of-order: 500ms}
              - dead-letter: file:\(folder.file("rejects.ndjson"))
            sink: file:\(folder.file("out.ndjson"))
            engine: \(engine)
            """
        let plan = try ManifestCompiler.compile(try ManifestReader().read(text: manifest, file: "window.yaml"))
        let summary = try await ManifestRunner(plan: plan).run()
        let rows = try String(contentsOfFile: folder.file("out.ndjson"), encoding: .utf8).split(separator: "\n")
        #expect(rows == [
            #"{"k":"a","window_start":0,"window_end":2000,"n":2,"total":4}"#,
            #"{"k":"b","window_start":0,"window_end":2000,"n":1,"total":2}"#,
            #"{"k":"a","window_start":2000,"window_end":4000,"n":1,"total":4}"#,
            #"{"k":"b","window_start":2000,"window_end":4000,"n":1,"total":6}"#,
        ])
        #expect(summary.documentsRejected == 3)
        // Each dead letter names the document's offset, the stage and what was wrong (in stage order within a batch).
        let offsets = input.indices.map { index in input[..<index].reduce(0) { $0 + $1.utf8.count + 1 } }
        var rejects: [Int64: (stage: String, error: String, document: String)] = [:]
        for line in try Self.lines(folder.file("rejects.ndjson")) {
            guard case .number(let offset)? = line["offset"], case .string(let stage)? = line["stage"],
                case .string(let error)? = line["error"], case .string(let document)? = line["document"]
            else { continue }
            rejects[offset.int64Value!] = (stage, error, document)
        }
        #expect(Set(rejects.keys) == Set([4, 5, 6].map { Int64(offsets[$0]) }))
        let late = rejects[Int64(offsets[4])], untimed = rejects[Int64(offsets[5])], notNumber = rejects[Int64(offsets[6])]
        #expect(late?.stage == "per-2s")
        #expect(late?.error.contains("element at event time 1200 refused: the watermark 2099 is past its last window's end") == true)
        #expect(late?.document == input[4])
        #expect(untimed?.error == "the window's time field .ts needs whole epoch milliseconds within ±2^53, found nothing")
        #expect(untimed?.document == input[5])
        #expect(notNumber?.error == "sum(.v) needs a number, found \"x\"")
    }

    /// An event time past ±2^53 ms is a dead letter, named, not an arithmetic overflow in the window (which
    /// stopped the process with SIGILL for 9223372036854775807).
    @Test(arguments: ["sync", "concurrent"])
    func extremeEventTimesAreDeadLetters(engine: String) async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let input = [#"{"k":"a","ts":9223372036854775807}"#, #"{"k":"a","ts":-9223372036854775808}"#,
                     #"{"k":"a","ts":9007199254740993}"#, #"{"k":"a","ts":1000}"#]
        try (input.joined(separator: "\n") + "\n").write(toFile: folder.file("in.ndjson"), atomically: true, encoding: .utf8)
        let manifest = """
            source: file:\(folder.file("in.ndjson"))
            stages:
              - key: .k
              - aggregate: {n: count}
                window: {tumbling: 1m, time: .ts, out-of-order: 5s}
              - dead-letter: file:\(folder.file("rejects.ndjson"))
            sink: file:\(folder.file("out.ndjson"))
            engine: \(engine)
            """
        let plan = try ManifestCompiler.compile(try ManifestReader().read(text: manifest, file: "m.yaml"))
        let summary = try await ManifestRunner(plan: plan).run()
        #expect(summary.documentsRejected == 3 && summary.documentsWritten == 1)
        #expect(try Self.lines(folder.file("out.ndjson")).map { $0["n"] } == [.number(.int(1))])
        let errors = try Self.lines(folder.file("rejects.ndjson")).compactMap { line -> String? in
            if case .string(let error)? = line["error"] { error } else { nil }
        }
        #expect(errors.count == 3 && errors.allSatisfy { $0.contains("needs whole epoch milliseconds within ±2^53") },
            "\(errors)")
    }

    /// A document an aggregate rejects reaches the dead-letter sink whole, though the stages read only some of
    /// its fields (before, the decoder's projection left only `svc` and `bytes` in it).
    @Test(arguments: ["sync", "concurrent"])
    func aDocumentAnAggregateRejectsIsDeadLetteredWhole(engine: String) async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let bad = #"{"svc":"a","bytes":"oops","msg":"keep me","extra":{"x":1}}"#
        let input = [#"{"svc":"a","bytes":5,"msg":"m"}"#, bad, #"{"svc":"b","bytes":7}"#]
        try (input.joined(separator: "\n") + "\n").write(toFile: folder.file("in.ndjson"), atomically: true, encoding: .utf8)
        let manifest = """
            source: file:\(folder.file("in.ndjson"))
            stages:
              - key: .svc
              - aggregate: {b: sum(.bytes)}
              - dead-letter: file:\(folder.file("rejects.ndjson"))
            sink: file:\(folder.file("out.ndjson"))
            engine: \(engine)
            """
        let plan = try ManifestCompiler.compile(try ManifestReader().read(text: manifest, file: "m.yaml"))
        let summary = try await ManifestRunner(plan: plan).run()
        #expect(summary.documentsRejected == 1)
        let rejects = try Self.lines(folder.file("rejects.ndjson"))
        #expect(rejects.first?["document"] == .string(bad), "\(rejects)")
        #expect(try String(contentsOfFile: folder.file("out.ndjson"), encoding: .utf8)
            == #"{"svc":"a","b":5}"# + "\n" + #"{"svc":"b","b":7}"# + "\n")
    }

    @Test func slowRequestsJSONManifestDedupesByPath() async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let plan = try Self.plan("slow-requests.json", sink: folder.file("out.ndjson"))
        let summary = try await ManifestRunner(plan: plan).run()
        let output = try Self.lines(folder.file("out.ndjson"))
        let paths = output.compactMap { $0["path"] }
        #expect(Set(paths).count == paths.count)
        #expect(!output.isEmpty)
        #expect(summary.documentsWritten == output.count)
    }

    @Test(.enabled(if: JQ.path != nil, "jq is not installed (apt-get install jq); ci/test installs it"))
    func outputMatchesJQ() async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let plan = try Self.plan("error-log.yaml", sink: folder.file("out.ndjson"))
        _ = try await ManifestRunner(plan: plan).run()
        let ours = try String(contentsOfFile: folder.file("out.ndjson"), encoding: .utf8)
        let theirs = try JQ.run(["-c", #"select(.level == "error") | {ts, service, message}"#, Self.logPath])
        // Byte for byte: same documents, same member order, same number and string forms.
        #expect(ours == theirs)
        #expect(ours.split(separator: "\n").count > 10)
    }

    @Test func badDocumentsGoToTheDeadLetterSinkAndTheRestIsKept() async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let input = "{\"level\":\"error\",\"n\":1}\n{\"level\":\"error\",\"n\":tru}\n{\"level\":\"info\",\"n\":3}\n{\"level\":\"error\",\"n\":4}\n"
        try input.write(toFile: folder.file("in.ndjson"), atomically: true, encoding: .utf8)
        let text = """
            source: file:\(folder.file("in.ndjson"))
            stages:
              - filter: .level == "error"
              - project: [n]
              - dead-letter: file:\(folder.file("rejects.ndjson"))
            sink: file:\(folder.file("out.ndjson"))
            """
        let summary = try await ManifestRunner(plan: try ManifestCompiler.compile(try ManifestReader().read(text: text, file: "m.yaml"))).run()
        #expect(try String(contentsOfFile: folder.file("out.ndjson"), encoding: .utf8) == "{\"n\":1}\n{\"n\":4}\n")
        #expect(summary.documentsRejected == 1)
        let rejects = try Self.lines(folder.file("rejects.ndjson"))
        #expect(rejects.count == 1)
        #expect(rejects.first?["stage"] == .string("decode"))
        #expect(rejects.first?["offset"] == .number(.int(24)))
        #expect(rejects.first?["document"] == .string("{\"level\":\"error\",\"n\":tru}"))
        // The error is located in the file: its offset, and the line and column counted from the file's start
        // (before, they were counted within the document: line 1, column 25 beside the file's offset 48).
        guard case .string(let error)? = rejects.first?["error"] else { Issue.record("no error"); return }
        #expect(error.hasPrefix("offset 48 (line 2, column 25): "), "\(error)")
        #expect(summary.framingFailure == nil)
    }

    @Test func aBrokenFramingEndsTheInputAndIsReported() async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        try "{\"n\":1}\n{\"n\":\n{\"n\":3}\n".write(toFile: folder.file("in.ndjson"), atomically: true, encoding: .utf8)
        let text = """
            source: file:\(folder.file("in.ndjson"))
            sink: file:\(folder.file("out.ndjson"))
            """
        let summary = try await ManifestRunner(plan: try ManifestCompiler.compile(try ManifestReader().read(text: text, file: "m.yaml"))).run()
        #expect(summary.framingFailure?.offset == 13)
        #expect(try String(contentsOfFile: folder.file("out.ndjson"), encoding: .utf8) == "{\"n\":1}\n")
    }

    @Test func exactlyOnceCommitsPartsAndResumesAfterTheCheckpoint() async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        var input = ""
        for index in 0..<100 { input += "{\"i\":\(index),\"even\":\(index % 2 == 0)}\n" }
        try input.write(toFile: folder.file("in.ndjson"), atomically: true, encoding: .utf8)
        let text = """
            source: file:\(folder.file("in.ndjson"))
            stages:
              - filter: .even
              - project: [i]
            sink: file:\(folder.file("parts"))
            delivery: exactly-once
            batch-size: 8
            checkpoint: { folder: \(folder.file("ckpt")), every: 10 }
            """
        let plan = try ManifestCompiler.compile(try ManifestReader().read(text: text, file: "m.yaml"))
        // A checkpoint as an earlier run would have left it: documents up to i = 39 handled.
        let cut = input.range(of: "{\"i\":40,")!.lowerBound
        let offset = input.utf8.distance(from: input.startIndex, to: cut)
        try FileManager.default.createDirectory(atPath: folder.file("ckpt"), withIntermediateDirectories: true)
        try "{\"id\":3,\"offset\":\(offset),\"documents\":20,\"complete\":false}".write(
            toFile: folder.file("ckpt/checkpoint.json"), atomically: true, encoding: .utf8)
        let summary = try await ManifestRunner(plan: plan).run()
        #expect(summary.resumedFrom == offset)
        #expect(summary.checkpoint?.complete == true)
        #expect(summary.checkpoint?.documents == 50)
        let committed = String(decoding: try TwoPhaseCommitFileSink.readCommittedOutput(directory: folder.file("parts")), as: UTF8.self)
        #expect(committed == stride(from: 40, to: 100, by: 2).map { "{\"i\":\($0)}\n" }.joined())
        // The finished run leaves only published parts: no empty pending file of an epoch after the last barrier.
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.file("parts"))
        #expect(!files.isEmpty && files.allSatisfy { $0.hasPrefix("part-") }, "\(files.sorted())")
        // A finished run is not run again.
        await #expect(throws: ManifestRunError.self) { try await ManifestRunner(plan: plan).run() }
    }

    @Test func aStopSignalEndsTheInputAndTakesAFinalCheckpoint() async throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        try String(repeating: "{\"a\":1}\n", count: 1000).write(toFile: folder.file("in.ndjson"), atomically: true, encoding: .utf8)
        let text = """
            source: file:\(folder.file("in.ndjson"))
            sink: file:\(folder.file("out.ndjson"))
            checkpoint: { folder: \(folder.file("ckpt")) }
            """
        let stop = StopSignal()
        stop.stop()
        let summary = try await ManifestRunner(plan: try ManifestCompiler.compile(try ManifestReader().read(text: text, file: "m.yaml"))).run(stop: stop)
        #expect(summary.wasStopped)
        #expect(summary.documentsDecoded == 0)
        let checkpoint = try ManifestCheckpoint.load(from: folder.file("ckpt"))
        #expect(checkpoint?.complete == false)
        #expect(checkpoint?.offset == 0)
    }
}
