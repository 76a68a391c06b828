/// Checks that a manifest's stages fit together and compiles it into a `CompiledPlan`.
///
/// Type checks, each reported as a located `ManifestError` naming both stages:
/// - an aggregate needs keyed documents: a `key` stage must come before it;
/// - after a `project` (or an aggregate) only the fields it outputs exist: a later stage reading another field
///   is an error naming the reader and the stage that dropped the field.
///
/// Fusion: adjacent pure operators (filter, project, rename, key) become one segment, a single loop over each
/// record; stateful operators (aggregate, dedupe) and the decoder are segments of their own.
public enum ManifestCompiler {
    /// Compiles `manifest`.
    /// - Throws: `ManifestError.typeMismatch` when two stages do not fit.
    public static func compile(_ manifest: PipelineManifest) throws(ManifestError) -> CompiledPlan {
        var fields: (names: [String], stage: StageSpec)?
        var keyed: (path: FieldPath, stage: StageSpec)?
        var previous: String = "the source '\(manifest.source.uri)'"
        var segments = [CompiledPlan.Segment(name: "decode", stages: ["decode (\(manifest.framing))"], body: .decode,
            reason: "stateful (framing keeps partial documents between chunks): a segment of its own")]
        var pending: [(spec: StageSpec, step: RecordStep)] = []

        func flush() {
            guard !pending.isEmpty else { return }
            let reason = pending.count > 1
                ? "\(pending.count) pure operators fused into one loop (no batch or channel between them)"
                : "one pure operator"
            segments.append(CompiledPlan.Segment(
                name: pending.map(\.spec.name).joined(separator: "+"), stages: pending.map(\.spec.label),
                body: .fused(pending.map(\.step)), reason: reason))
            pending = []
        }

        func need(_ path: FieldPath, in stage: StageSpec) throws(ManifestError) {
            guard let known = fields, let head = path.head, !known.names.contains(head) else { return }
            throw ManifestError(
                code: .typeMismatch, file: manifest.file, line: stage.location.line, column: stage.location.column,
                field: "stages.\(stage.name)",
                message: "stage \(stage.label) reads \(path), but stage \(known.stage.label) before it outputs only "
                    + known.names.joined(separator: ", "),
                expected: "a field that stage \(known.stage.label) outputs, or that field added to it")
        }

        for stage in manifest.stages {
            switch stage.operation {
            case .filter(let predicate):
                for path in predicate.paths { try need(path, in: stage) }
                pending.append((stage, .filter(predicate)))
            case .project(let projected):
                for field in projected { try need(field.path, in: stage) }
                fields = (projected.map(\.name), stage)
                pending.append((stage, .project(projected)))
            case .rename(let pairs):
                if var known = fields {
                    for pair in pairs {
                        try need(FieldPath([.member(pair.from)]), in: stage)
                        known.names = known.names.map { $0 == pair.from ? pair.to : $0 }
                    }
                    fields = (known.names, stage)
                }
                pending.append((stage, .rename(pairs)))
            case .key(let path):
                try need(path, in: stage)
                keyed = (path, stage)
                pending.append((stage, .key(path)))
            case .aggregate(let outputs):
                guard let key = keyed else {
                    throw ManifestError(
                        code: .typeMismatch, file: manifest.file, line: stage.location.line,
                        column: stage.location.column, field: "stages.\(stage.name)",
                        message: "stage \(stage.label) needs keyed documents, but \(previous) produces unkeyed documents",
                        expected: "a key stage before it, e.g. - key: .service")
                }
                for output in outputs { if let path = output.path { try need(path, in: stage) } }
                if let window = stage.window { try need(window.time, in: stage) }
                flush()
                let keyName = key.path.defaultName
                let reason = stage.window.map { "stateful (one row per key and \($0.summary), emitted when the watermark passes the window's end): watermarks, windows and results, a segment of its own" }
                    ?? "stateful (one row per key, emitted at the end): a segment of its own"
                segments.append(CompiledPlan.Segment(
                    name: stage.name, stages: [stage.label],
                    body: .aggregate(keyName: keyName, fields: outputs, window: stage.window), reason: reason))
                fields = ([keyName] + (stage.window == nil ? [] : WindowedAggregate.boundNames) + outputs.map(\.name), stage)
            case .dedupe(let path):
                if let path { try need(path, in: stage) }
                flush()
                segments.append(CompiledPlan.Segment(
                    name: stage.name, stages: [stage.label], body: .dedupe(path),
                    reason: "stateful (remembers the values seen): a segment of its own"))
            case .deadLetter:
                continue
            }
            previous = "stage \(stage.label)"
        }
        flush()
        return CompiledPlan(manifest: manifest, segments: segments)
    }
}
