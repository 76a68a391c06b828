import Foundation
import Sluice

/// The worker side of `WorkerProtocol`: reads request lines, measures, writes response lines.
///
/// One request is handled at a time, in order. Sessions opened by `prepare` live until `finish`.
/// `run()` returns on an `exit` request or at the end of input.
public final class WorkerServer {
    private let registry: BenchmarkRegistry
    private let clock: any MonotonicClock
    private var overhead: HarnessOverhead?
    private var sessions: [String: BenchmarkMeasurement] = [:]
    private let readLine: () -> String?
    private let writeLine: (String) -> Void
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Creates a server reading lines with `readLine` (nil = end of input) and writing with `writeLine`
    /// (each call one complete line without the newline; the writer adds it and flushes).
    public init(
        registry: BenchmarkRegistry = .standard, clock: any MonotonicClock = SystemMonotonicClock(),
        overhead: HarnessOverhead? = nil, readLine: @escaping () -> String?, writeLine: @escaping (String) -> Void
    ) {
        self.registry = registry
        self.clock = clock
        self.overhead = overhead
        self.readLine = readLine
        self.writeLine = writeLine
    }

    /// Serves requests until `exit` or end of input. Suspends while a benchmark's async operation does.
    public func run() async {
        while let line = readLine() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let request: WorkerRequest
            do {
                request = try ResultsDecoding.decodeLine(WorkerRequest.self, line, what: "worker request")
            } catch {
                send(errorResponse(id: nil, error))
                continue
            }
            if request.protocolVersion != WorkerProtocol.version {
                var response = WorkerResponse(event: .error, id: request.id)
                response.code = HarnessError.Code.worker.description
                response.message =
                    "protocol version \(request.protocolVersion) is not supported; this worker speaks \(WorkerProtocol.version)"
                send(response)
                continue
            }
            if request.op == .exit {
                send(WorkerResponse(event: .bye, id: request.id))
                return
            }
            await handle(request)
        }
    }

    private func handle(_ request: WorkerRequest) async {
        do {
            switch request.op {
            case .hello:
                var response = WorkerResponse(event: .hello, id: request.id)
                response.harnessVersion = HarnessInfo.version
                response.benchmarks = registry.names
                response.environment = EnvironmentFingerprint.current()
                send(response)
            case .run:
                let measurement = try makeMeasurement(request)
                let lane = request.lane ?? .all
                do {
                    try await runLanes(measurement, lane: lane, request: request)
                    send(resultResponse(measurement, id: request.id, lane: lane))
                } catch let failure as BenchmarkFailure {
                    send(failedResponse(id: request.id, failure))
                }
            case .prepare:
                let id = try requireID(request)
                let measurement = try makeMeasurement(request)
                do {
                    var response = WorkerResponse(event: .prepared, id: id)
                    response.innerIterations = try await measurement.prepare(innerIterations: request.innerIterations)
                    sessions[id] = measurement
                    send(response)
                } catch let failure as BenchmarkFailure {
                    send(failedResponse(id: id, failure))
                }
            case .round:
                let id = try requireID(request)
                let measurement = try session(id)
                do {
                    send(roundResponse(try await measurement.measureRound(), id: id))
                } catch let failure as BenchmarkFailure {
                    sessions[id] = nil
                    send(failedResponse(id: id, failure))
                }
            case .finish:
                let id = try requireID(request)
                let measurement = try session(id)
                sessions[id] = nil
                do {
                    try measurement.checkOutput()
                    send(resultResponse(measurement, id: id, lane: .timing))
                } catch let failure as BenchmarkFailure {
                    send(failedResponse(id: id, failure))
                }
            case .exit:
                break
            }
        } catch {
            send(errorResponse(id: request.id, error))
        }
    }

    private func runLanes(_ measurement: BenchmarkMeasurement, lane: WorkerRequest.Lane, request: WorkerRequest)
        async throws
    {
        switch lane {
        case .timing, .all:
            _ = try await measurement.prepare(innerIterations: request.innerIterations)
            try await measurement.measureRounds { [self] round in send(roundResponse(round, id: request.id)) }
            if lane == .all { try await measurement.measureAllocations() }
        case .allocation:
            // Calibrated like the timing lane, so the pass runs about `allocationOperations` fast operations
            // or a single slow one, never 100 slow ones.
            _ = try await measurement.prepare(innerIterations: request.innerIterations, warmsUp: false)
            try await measurement.measureAllocations()
            try measurement.checkOutput()
        case .instructions:
            // One operation per sample and no warm-up: the pass picks its own operation count from the counts.
            _ = try await measurement.prepare(innerIterations: 1, warmsUp: false)
            try await measurement.measureInstructions()
            try measurement.checkOutput()
        }
    }

    private func makeMeasurement(_ request: WorkerRequest) throws -> BenchmarkMeasurement {
        guard let name = request.benchmark else {
            throw HarnessError(code: .worker, message: "missing required field", field: "benchmark")
        }
        let benchmark = try registry.resolve(name, field: "benchmark")
        let overhead = self.overhead ?? HarnessOverhead.measure(clock: clock)
        self.overhead = overhead
        return BenchmarkMeasurement(
            benchmark: benchmark, parameters: BenchmarkParameters(request.parameters ?? [:]),
            settings: request.settings ?? RunSettings(), metrics: request.metrics ?? [.wallTime], clock: clock,
            overhead: overhead, policy: request.policy ?? MeasurementPolicy())
    }

    private func requireID(_ request: WorkerRequest) throws -> String {
        guard let id = request.id else {
            throw HarnessError(code: .worker, message: "missing required field for \(request.op.rawValue)", field: "id")
        }
        return id
    }

    private func session(_ id: String) throws -> BenchmarkMeasurement {
        guard let measurement = sessions[id] else {
            throw HarnessError(code: .worker, message: "no open session \"\(id)\" (send prepare first)", field: "id")
        }
        return measurement
    }

    private func roundResponse(_ round: RoundMeasurement, id: String?) -> WorkerResponse {
        var response = WorkerResponse(event: .round, id: id)
        response.round = round.index
        response.values = [
            BenchmarkMetric.wallTime.rawValue: round.median, "samples": Double(round.samples.count),
            "operations": Double(round.operations),
        ]
        return response
    }

    private func resultResponse(_ measurement: BenchmarkMeasurement, id: String?, lane: WorkerRequest.Lane)
        -> WorkerResponse
    {
        var result = measurement.makeResult()
        switch lane {
        case .allocation: result.metrics = result.metrics.filter { $0.metric.isAllocationCount }
        case .instructions: result.metrics = result.metrics.filter { $0.metric.isInstructionCount }
        case .timing: result.metrics = result.metrics.filter { $0.metric.lane != .deterministic }
        case .all: result.metrics = result.metrics.filter { !$0.metric.isInstructionCount }
        }
        var response = WorkerResponse(event: .result, id: id)
        response.result = result
        return response
    }

    private func failedResponse(id: String?, _ failure: BenchmarkFailure) -> WorkerResponse {
        var response = WorkerResponse(event: .failed, id: id)
        response.message = failure.message
        return response
    }

    private func errorResponse(id: String?, _ error: any Error) -> WorkerResponse {
        var response = WorkerResponse(event: .error, id: id)
        if let error = error as? HarnessError {
            response.code = error.code.description
            response.message = error.description
        } else {
            response.code = HarnessError.Code.worker.description
            response.message = "\(error)"
        }
        return response
    }

    private func send(_ response: WorkerResponse) {
        do {
            writeLine(String(decoding: try encoder.encode(response), as: UTF8.self))
        } catch {
            writeLine("{\"protocol\":\(WorkerProtocol.version),\"event\":\"error\",\"message\":\"cannot encode a response\"}")
        }
    }
}

/// Decoding of single JSON lines with harness errors.
enum ResultsDecoding {
    static func decodeLine<T: Decodable>(_ type: T.Type, _ line: String, what: String) throws -> T {
        // The one reader's decoder; unknown fields are allowed only here, because a worker built from another
        // revision (the gate's base) may send or expect fields this build does not know.
        let tree = try JSONFileReader.parse(Data(line.utf8), file: what, code: .worker)
        return try JSONFileReader.decode(type, from: tree, file: what, code: .worker, rejectsUnknownFields: false)
    }
}
