import Sluice
import SluiceTestKit

/// One randomly chosen stage of a generated test pipeline over `Int`.
enum RandomStage: CustomStringConvertible {
    case map(multiplier: Int, offset: Int)
    case impureMap(offset: Int)
    case filter(modulus: Int, remainder: Int)
    case flatMap(maxCopies: Int)
    case scan
    case failingMap(modulus: Int)
    case aggregate(keys: Int)

    static func random(using generator: inout SeededRandomNumberGenerator) -> RandomStage {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0, 1: .map(multiplier: Int.random(in: 1...7, using: &generator), offset: Int.random(in: -5...5, using: &generator))
        case 2: .impureMap(offset: Int.random(in: 1...9, using: &generator))
        case 3, 4: .filter(modulus: Int.random(in: 2...5, using: &generator), remainder: Int.random(in: 0...1, using: &generator))
        case 5: .flatMap(maxCopies: Int.random(in: 0...3, using: &generator))
        case 6: .scan
        case 7: .failingMap(modulus: Int.random(in: 3...11, using: &generator))
        case 8: .aggregate(keys: Int.random(in: 1...6, using: &generator))
        default: .map(multiplier: 1, offset: 1)
        }
    }

    var description: String {
        switch self {
        case .map(let multiplier, let offset): "map(*\(multiplier)+\(offset))"
        case .impureMap(let offset): "impureMap(+\(offset))"
        case .filter(let modulus, let remainder): "filter(%\(modulus)!=\(remainder))"
        case .flatMap(let maxCopies): "flatMap(\(maxCopies))"
        case .scan: "scan"
        case .failingMap(let modulus): "failingMap(%\(modulus))"
        case .aggregate(let keys): "aggregate(\(keys))"
        }
    }
}

struct RandomStageFailure: Error, Equatable {
    var value: Int
}

/// What one run of a generated pipeline produced.
struct RandomRunOutcome: Equatable {
    var output: [Int]
    var counts: [String]
    var deadLetterFingerprints: [UInt64]
}

/// Builds the generated pipeline stage by stage (each step changes the chain's static type) and runs it with `run`.
struct RandomPipelineRunner {
    let input: [Int]
    let runner: (any RandomPipelineExecutor)

    func outcome(_ stages: [RandomStage]) async throws -> RandomRunOutcome {
        try await extend(Pipeline.source("numbers", input), stages[...])
    }

    private func extend<Chain: StageChain>(
        _ builder: PipelineBuilder<CollectionSource<[Int]>, Chain>, _ stages: ArraySlice<RandomStage>
    ) async throws -> RandomRunOutcome where Chain.Output == Int {
        guard let stage = stages.first else {
            let collector = OutputCollector<Int>()
            let deadLetters = DeadLetterCollector()
            let pipeline = builder.deadLetters(DeadLetterPolicy(sink: deadLetters, burst: 1_000_000))
                .sink("sink", collector)
            let statistics = try await runner.execute(pipeline)
            return RandomRunOutcome(
                output: collector.elements,
                counts: statistics.stages.map { "\($0.name):\($0.processed)/\($0.emitted)/\($0.errors)" },
                deadLetterFingerprints: deadLetters.records.map(\.fingerprint).sorted())
        }
        let rest = stages.dropFirst()
        let name = "s\(stages.startIndex)-\(stage)"
        switch stage {
        case .map(let multiplier, let offset):
            return try await extend(builder.map(name) { $0 &* multiplier &+ offset }, rest)
        case .impureMap(let offset):
            return try await extend(builder.map(name, pure: false) { $0 &+ offset }, rest)
        case .filter(let modulus, let remainder):
            return try await extend(builder.filter(name) { $0 % modulus != remainder }, rest)
        case .flatMap(let maxCopies):
            return try await extend(
                builder.flatMap(name, appending: { value, out in
                    for copy in 0..<(abs(value) % (maxCopies + 1)) { out.append(value &+ copy) }
                }), rest)
        case .scan:
            return try await extend(builder.scan(name, initial: 0) { $0 &+ $1 }, rest)
        case .failingMap(let modulus):
            return try await extend(
                builder.map(name) { value in
                    if value % modulus == 0 { throw RandomStageFailure(value: value) }
                    return value &- 1
                }, rest)
        case .aggregate(let keys):
            let aggregated = builder.aggregate(name, by: { abs($0) % keys }, initial: 0) { $0 &+= $1 }
            return try await extend(aggregated.map("\(name)-flatten") { $0.key &* 1_000 &+ $0.value }, rest)
        }
    }
}

/// Runs a pipeline on some engine configuration.
protocol RandomPipelineExecutor: Sendable {
    func execute<Source, Chain, Sink>(
        _ pipeline: RunnablePipeline<Source, Chain, Sink>
    ) async throws -> PipelineStatistics
}

struct SyncExecutor: RandomPipelineExecutor {
    var engine: SyncEngine

    func execute<Source, Chain, Sink>(
        _ pipeline: RunnablePipeline<Source, Chain, Sink>
    ) async throws -> PipelineStatistics {
        try engine.run(pipeline)
    }
}

/// A generated pipeline and its input, from one seed.
struct GeneratedCase: CustomStringConvertible {
    var seed: UInt64
    var stages: [RandomStage]
    var input: [Int]

    init(seed: UInt64) {
        self.seed = seed
        var generator = SeededRandomNumberGenerator(seed: seed)
        let stageCount = Int.random(in: 1...7, using: &generator)
        stages = (0..<stageCount).map { _ in RandomStage.random(using: &generator) }
        let inputCount = Int.random(in: 0...700, using: &generator)
        input = (0..<inputCount).map { _ in Int.random(in: -1_000...1_000, using: &generator) }
    }

    var description: String { "seed \(seed) (replay with SLUICE_SEED=\(seed)): \(stages), \(input.count) inputs" }
}

struct ConcurrentExecutor: RandomPipelineExecutor {
    var engine: ConcurrentEngine

    func execute<Source, Chain, Sink>(
        _ pipeline: RunnablePipeline<Source, Chain, Sink>
    ) async throws -> PipelineStatistics {
        try await engine.run(pipeline)
    }
}
