import Foundation
import SluiceConnectors
import Yams

/// Reads a manifest's text (YAML, or JSON, which is YAML too) into a `PipelineManifest`, checking every field:
/// the first problem found is thrown as a located `ManifestError`, and nothing is opened or run.
public struct ManifestReader: Sendable {
    /// The connectors URIs are checked against.
    public var connectors: ConnectorRegistry

    /// Creates a reader checking URIs against `connectors`.
    public init(connectors: ConnectorRegistry = .standard) {
        self.connectors = connectors
    }

    static let topLevelFields = [
        "name", "source", "stages", "sink", "engine", "batch-size", "channel-capacity", "delivery", "checkpoint",
    ]

    /// Reads the manifest at `path`.
    /// - Throws: `ManifestError` (`unreadable` when the file cannot be read).
    public func read(file path: String) throws(ManifestError) -> PipelineManifest {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ManifestError(code: .unreadable, file: path, line: 0, column: 0, field: "", message: "cannot read the manifest",
                cause: "\(error.localizedDescription)")
        }
        return try read(text: text, file: path)
    }

    /// Reads manifest `text`; `file` names it in errors.
    public func read(text: String, file: String) throws(ManifestError) -> PipelineManifest {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ManifestError(code: .missingField, file: file, line: 1, column: 1, field: "",
                    message: "the manifest is empty", expected: "a mapping with source, stages and sink")
            }
            root = node
        } catch let error as ManifestError {
            throw error
        } catch let error as YamlError {
            throw Self.located(error, file: file)
        } catch {
            throw ManifestError(code: .syntax, file: file, line: 1, column: 1, field: "", message: "not valid YAML or JSON",
                cause: "\(error)")
        }
        let top = try ManifestNode(root, file: file, path: "").members(
            expected: "a mapping with source, stages and sink")
        try top.checkNoOthers(Self.topLevelFields)

        let name = try top.optional("name")?.string(expected: "a pipeline name") ?? "pipeline"
        let (source, framing) = try readSource(try top.required("source", expected: "a source URI or mapping"))
        let sinkNode = try top.required("sink", expected: "a sink URI or mapping")
        let sink = try readEndpoint(sinkNode, role: .sink, extra: [])
        var stages: [StageSpec] = []
        if let stagesNode = top.optional("stages") {
            for (index, item) in try stagesNode.list(expected: "a list of stages").enumerated() {
                stages.append(try StageReader(reader: self).read(item, index: index))
            }
        }
        var names: Set<String> = []
        for (index, stage) in stages.enumerated() where !names.insert(stage.name).inserted {
            throw ManifestError(code: .invalidValue, file: file, line: stage.location.line, column: stage.location.column,
                field: "stages[\(index)].name", message: "stage name '\(stage.name)' is used twice",
                expected: "a name unique among the stages")
        }
        let engine = try top.optional("engine")?.choice(PipelineManifest.Engine.allCases.map(\.rawValue)) ?? "sync"
        let batchSize = try top.optional("batch-size")?.integer(in: 1...65_536) ?? 256
        // The default holds at least one batch (the concurrent engine needs that), as a written one must.
        let capacity = try top.optional("channel-capacity")?.integer(in: 1...1_048_576) ?? max(4_096, batchSize)
        if let node = top.optional("channel-capacity"), capacity < batchSize {
            throw node.error(.invalidValue, "channel-capacity \(capacity) is below batch-size \(batchSize)",
                expected: "a capacity of at least batch-size")
        }
        let delivery = try top.optional("delivery")?.choice(PipelineManifest.Delivery.allCases.map(\.rawValue))
            ?? PipelineManifest.Delivery.atLeastOnce.rawValue
        var folder: String?
        var every = 100_000
        if let checkpoint = top.optional("checkpoint") {
            let fields = try checkpoint.members(expected: "a mapping with folder (and every)")
            try fields.checkNoOthers(["folder", "every"])
            folder = try fields.required("folder", expected: "a folder path").string(expected: "a folder path")
            every = try fields.optional("every")?.integer(in: 1...Int(Int32.max)) ?? every
        }
        if let folder, let node = top.optional("checkpoint") {
            guard source.uri.lowercased().hasPrefix("file:") else {
                throw node.error(.invalidValue, "checkpoints in \(folder) need a source that can be read again, not '\(source.uri)'",
                    expected: "a file: source with checkpoints, or no checkpoint")
            }
            guard sink.uri.lowercased().hasPrefix("file:") else {
                throw node.error(.invalidValue, "checkpoints in \(folder) need a file: sink, not '\(sink.uri)'",
                    expected: "a file: sink with checkpoints, or no checkpoint")
            }
        }
        if delivery == PipelineManifest.Delivery.exactlyOnce.rawValue {
            let node = top.optional("delivery") ?? top.node
            guard folder != nil else {
                throw node.error(.missingField, "exactly-once delivery needs checkpoints", expected: "a checkpoint: { folder: PATH } mapping", field: "checkpoint")
            }
            guard sink.uri.lowercased().hasPrefix("file:") else {
                throw node.error(.invalidValue, "exactly-once delivery needs a file: sink (a folder of committed parts), not '\(sink.uri)'",
                    expected: "sink: file:FOLDER", field: "sink")
            }
        }
        let deadLetters = stages.enumerated().compactMap { index, stage -> (Int, PipelineManifest.Endpoint)? in
            if case .deadLetter(let endpoint) = stage.operation { (index, endpoint) } else { nil }
        }
        if deadLetters.count > 1, let (index, second) = deadLetters.dropFirst().first {
            throw ManifestError(code: .invalidValue, file: file, line: second.location.line,
                column: second.location.column, field: "stages[\(index)]",
                message: "a second dead-letter stage: rejected documents go to one dead-letter sink",
                expected: "one dead-letter stage")
        }
        let deadLetter = deadLetters.first?.1
        // Two endpoints on one file: a sink opened on the source's file empties it before it is read, and a sink
        // and a dead-letter sink on one file overwrite each other.
        let sourceFile = Self.fileIdentity(source, connectors: connectors, role: .source)
        let sinkFile = Self.fileIdentity(sink, connectors: connectors, role: .sink)
        if let sourceFile, let sinkFile, sourceFile.isSameFile(as: sinkFile) {
            throw sinkNode.error(.invalidValue,
                "the sink '\(sink.uri)' is the source's file: opening it for writing would empty the input before it is read",
                expected: "a sink that is not the source", field: "sink")
        }
        if let (index, endpoint) = deadLetters.first,
            let deadLetterFile = Self.fileIdentity(endpoint, connectors: connectors, role: .sink)
        {
            let clash = sourceFile.map { deadLetterFile.isSameFile(as: $0) } == true ? "the source's file"
                : sinkFile.map { deadLetterFile.isSameFile(as: $0) } == true ? "the sink's file" : nil
            if let clash {
                throw ManifestError(code: .invalidValue, file: file, line: endpoint.location.line,
                    column: endpoint.location.column, field: "stages[\(index)].dead-letter",
                    message: "the dead-letter sink '\(endpoint.uri)' is \(clash): the two would overwrite each other",
                    expected: "a dead-letter file of its own")
            }
        }
        return PipelineManifest(
            file: file, name: name, source: source, framing: framing, stages: stages, sink: sink,
            deadLetter: deadLetter,
            engine: PipelineManifest.Engine(rawValue: engine) ?? .sync, batchSize: batchSize,
            channelCapacity: capacity, delivery: PipelineManifest.Delivery(rawValue: delivery) ?? .atLeastOnce,
            checkpointFolder: folder, checkpointEvery: every)
    }

    /// Where a `file:` endpoint writes or reads, to tell whether two endpoints name one file: its absolute,
    /// standardized path, and its device and inode when it exists (so a symbolic or hard link is the same file).
    struct FileIdentity {
        var path: String
        var inode: (device: UInt64, inode: UInt64)?

        func isSameFile(as other: FileIdentity) -> Bool {
            if let inode, let otherInode = other.inode { return inode == otherInode }
            return path == other.path
        }
    }

    /// The file of a `file:` endpoint; nil for every other scheme, and for a device or pipe (`/dev/null`,
    /// `/dev/stdout`: writing it empties nothing, and two endpoints on it do not overwrite each other).
    static func fileIdentity(
        _ endpoint: PipelineManifest.Endpoint, connectors: ConnectorRegistry, role: ConnectorRole
    ) -> FileIdentity? {
        guard let (_, resolved) = try? connectors.resolve(endpoint.uri, options: endpoint.options, as: role),
            resolved.scheme == "file"
        else { return nil }
        let url = URL(fileURLWithPath: resolved.target).standardizedFileURL.resolvingSymlinksInPath()
        var status = stat()
        guard stat(url.path, &status) == 0 else { return FileIdentity(path: url.path, inode: nil) }
        guard status.st_mode & S_IFMT == S_IFREG else { return nil }
        return FileIdentity(path: url.path, inode: (UInt64(status.st_dev), UInt64(status.st_ino)))
    }

    private func readSource(_ node: ManifestNode) throws(ManifestError) -> (PipelineManifest.Endpoint, PipelineManifest.Framing) {
        let endpoint = try readEndpoint(node, role: .source, extra: ["framing", "prefix"])
        guard case .mapping = node.node else { return (endpoint, .ndjson) }
        let fields = try node.members(expected: "a mapping")
        let framing = try fields.optional("framing")?.choice(["ndjson", "concat", "length-prefixed"]) ?? "ndjson"
        let prefixNode = fields.optional("prefix")
        if let prefixNode, framing != "length-prefixed" {
            throw prefixNode.error(.invalidValue, "prefix applies only to framing length-prefixed (framing is \(framing))",
                expected: "no prefix, or framing: length-prefixed")
        }
        switch framing {
        case "concat": return (endpoint, .concat)
        case "length-prefixed":
            let prefix = try prefixNode?.choice(["u32be", "decimal"]) ?? "u32be"
            return (endpoint, .lengthPrefixed(decimal: prefix == "decimal"))
        default: return (endpoint, .ndjson)
        }
    }

    /// A URI string, or a mapping with `uri` and `options` (and `extra` fields the caller reads).
    func readEndpoint(_ node: ManifestNode, role: ConnectorRole, extra: [String]) throws(ManifestError) -> PipelineManifest.Endpoint {
        var uriNode = node
        var options: [String: String] = [:]
        var optionNodes: [String: ManifestNode] = [:]
        var optionKeys: [String: ManifestNode] = [:]
        if case .mapping = node.node {
            let fields = try node.members(expected: "a URI or a mapping with uri and options")
            try fields.checkNoOthers(["uri", "options"] + extra)
            uriNode = try fields.required("uri", expected: "a connector URI such as file:PATH, stdin:, stdout: or tcp://HOST:PORT")
            if let optionsNode = fields.optional("options") {
                for member in try optionsNode.members(expected: "a mapping of option names to values").members {
                    options[member.name] = try member.value.string(expected: "a scalar option value")
                    optionNodes[member.name] = member.value
                    optionKeys[member.name] = member.key
                }
            }
        }
        let uri = try uriNode.string(expected: "a connector URI such as file:PATH, stdin:, stdout: or tcp://HOST:PORT")
        do {
            _ = try connectors.resolve(uri, options: options, as: role)
        } catch {
            let at = (error.code == .unknownOption ? optionKeys[error.field] : optionNodes[error.field]) ?? uriNode
            let field = error.field == "uri" ? uriNode.path : "\(node.path).options.\(error.field)"
            throw ManifestError(code: .connector, file: at.file, line: at.line, column: at.column, field: field,
                message: error.message, expected: error.expected, suggestions: error.suggestions, cause: error.cause)
        }
        return PipelineManifest.Endpoint(uri: uri, options: options, location: .init(line: uriNode.line, column: uriNode.column))
    }

    /// A YAML syntax error, located by its mark.
    static func located(_ error: YamlError, file: String) -> ManifestError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return ManifestError(code: .syntax, file: file, line: mark.line, column: mark.column, field: "",
                message: "not valid YAML or JSON: \(problem)", expected: "a YAML or JSON mapping")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ManifestError(code: .syntax, file: file, line: context.mark.line, column: context.mark.column, field: duplicates.first ?? "",
                message: "field given twice: \(duplicates.joined(separator: ", "))", expected: "each field once")
        default:
            return ManifestError(code: .syntax, file: file, line: 1, column: 1, field: "", message: "not valid YAML or JSON",
                cause: "\(error)")
        }
    }
}
