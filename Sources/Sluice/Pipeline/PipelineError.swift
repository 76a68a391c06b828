/// A pipeline that cannot run as described: found when it is built or validated, before any element flows.
public struct PipelineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, extensible classification of pipeline errors.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: Hashable, Sendable {
            case duplicateStageName
            case unknownStage
            case disconnected
            case cycle
            case typeMismatch
            case missingSource
            case missingSink
            case invalidFanIn
            case invalidFanOut
            case invalidEdge
        }

        let base: Base

        /// Two stages share a name.
        public static let duplicateStageName = Code(base: .duplicateStageName)
        /// An edge names a stage that does not exist.
        public static let unknownStage = Code(base: .unknownStage)
        /// A stage is not on any path from a source to a sink, or the graph falls into separate parts.
        public static let disconnected = Code(base: .disconnected)
        /// The edges form a cycle.
        public static let cycle = Code(base: .cycle)
        /// An edge joins a stage's output to a stage that expects another type.
        public static let typeMismatch = Code(base: .typeMismatch)
        /// The graph has no source.
        public static let missingSource = Code(base: .missingSource)
        /// The graph has no sink.
        public static let missingSink = Code(base: .missingSink)
        /// A stage other than a merge has more than one input.
        public static let invalidFanIn = Code(base: .invalidFanIn)
        /// A stage other than a broadcast or partition has more than one output.
        public static let invalidFanOut = Code(base: .invalidFanOut)
        /// An edge into a source, out of a sink, or a repeated edge.
        public static let invalidEdge = Code(base: .invalidEdge)

        /// A short phrase, such as `duplicate stage name` or `invalid fan-in`.
        public var description: String {
            switch base {
            case .duplicateStageName: "duplicate stage name"
            case .unknownStage: "unknown stage"
            case .disconnected: "disconnected graph"
            case .cycle: "cycle"
            case .typeMismatch: "type mismatch"
            case .missingSource: "missing source"
            case .missingSink: "missing sink"
            case .invalidFanIn: "invalid fan-in"
            case .invalidFanOut: "invalid fan-out"
            case .invalidEdge: "invalid edge"
            }
        }
    }

    /// What kind of problem it is.
    public var code: Code
    /// What is wrong, naming the stages.
    public var message: String
    /// The stages involved, in the order the message names them.
    public var stages: [String]

    /// Creates an error.
    public init(_ code: Code, _ message: String, stages: [String]) {
        self.code = code
        self.message = message
        self.stages = stages
    }

    /// `pipeline error (<code>): <message>`.
    public var description: String { "pipeline error (\(code)): \(message)" }
}
