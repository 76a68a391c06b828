import Sluice
import SluiceConnectors
import SluiceJSON

/// The first stage of every manifest pipeline: cuts byte chunks into documents (NDJSON, concatenated or
/// length-prefixed) and parses each one strictly (RFC 8259).
///
/// A document that does not parse goes to the dead-letter log and the next one is read. A framing error is
/// sticky (boundaries are lost after it): it is logged once and the rest of the input is ignored; the run
/// reports it. Counts decoded documents in `decoded` for progress displays.
///
/// With an idle timeout (network sources have one, see `PipelineSource.framingIdleTimeout`), an empty chunk is a
/// tick from an idle source: a document left incomplete for longer than the limit goes to the dead-letter log
/// with a `FramingTimeoutError` naming its offset, and framing starts afresh with the next bytes (`.deadLetter`),
/// or the rest of the input is ignored and the run is incomplete (`.fail`).
struct DecodeOperator: StageOperator {
    private var assembler: JSONFrameBuffer<JSONFramingAssembler>?
    private var prefixed: JSONFrameBuffer<JSONLengthPrefixedReader>?
    private let framing: PipelineManifest.Framing
    private var idleGuard: FramingIdleGuard?
    /// Added to frame offsets: bytes of the streams before a dead-lettered timeout restarted framing.
    private var restartBase = 0
    private var failed = false
    /// Projection pushdown: parses only the fields the stages read (nil: whole documents).
    private let pruned: JSONProjectingParser?
    let rejects: RejectLog
    let decoded: ByteCounter
    /// The source offset of the first byte fed (non-zero when a resumed run skipped input).
    let base: Int
    /// Entries framed by the source (a message queue): each behind a 4-byte big-endian length, and each decoded
    /// on its own, so a bad entry is one dead letter and never a framing failure.
    private var entries: [UInt8]?
    private var entriesOffset = 0
    /// The run's stop (Ctrl-C): a source it ends is cut at a chunk boundary, not at a document's end.
    let stop: StopSignal?

    /// `fields`: the fields the stages read before replacing the document (nil: keep whole documents).
    /// `entries`: the source frames its entries itself (see `ConnectorSource.isLengthPrefixed`); `framing` is
    /// then ignored. `idleTimeout`: the guard against a source that stops inside a document (nil: none).
    /// `stop`: the run's stop signal; once it fired, the end of the input is a cut, not the stream's end.
    init(
        framing: PipelineManifest.Framing, entries: Bool = false, rejects: RejectLog, decoded: ByteCounter, base: Int = 0,
        fields: FieldTree? = nil, idleTimeout: FramingIdleTimeout? = nil, stop: StopSignal? = nil
    ) {
        self.base = base
        self.stop = stop
        self.framing = framing
        self.entries = entries ? [] : nil
        pruned = fields.map { JSONProjectingParser(selection: $0.selection) }
        idleGuard = idleTimeout.map(FramingIdleGuard.init)
        self.rejects = rejects
        self.decoded = decoded
        startFraming()
    }

    /// New framers, at the start and after a dead-lettered timeout.
    private mutating func startFraming() {
        switch framing {
        case .ndjson: assembler = JSONFrameBuffer(JSONFramingAssembler(mode: .newlineDelimited))
        case .concat: assembler = JSONFrameBuffer(JSONFramingAssembler(mode: .concatenated))
        case .lengthPrefixed(let decimal):
            prefixed = JSONFrameBuffer(JSONLengthPrefixedReader(prefix: decimal ? .asciiDecimalLine : .bigEndianUInt32))
        }
    }

    /// A tick from an idle source: dead-letters (or fails on) the open document once it has been idle too long.
    private mutating func checkIdle() {
        let open = (assembler?.framer.openFrameOffset ?? prefixed?.framer.openFrameOffset).map { base + restartBase + $0 }
        guard let error = idleGuard?.expire(openAt: open, bytes: assembler?.openFrameBytes ?? prefixed?.openFrameBytes ?? [])
        else { return }
        rejects.reject(stage: "decode", offset: error.offset, error: "\(error)",
            document: String(decoding: error.partialDocument, as: UTF8.self))
        switch error.action {
        case .deadLetter:
            restartBase += assembler?.framer.bytesConsumed ?? prefixed?.framer.bytesConsumed ?? 0
            startFraming()
        case .fail:
            failed = true
            rejects.failTimeout(error)
        }
    }

    var isPure: Bool { false }
    var kind: StageKind { .stateful }

    mutating func process(_ input: [UInt8], emit: (ManifestRecord) -> Void) throws {
        if entries != nil {
            decodeEntries(input, emit: emit)
            return
        }
        guard !failed else { return }
        if (try? idleGuard?.isTick(input)) == true {
            checkIdle()
            return
        }
        try decodeFrames(.feed(input), emit: emit)
    }

    /// Cuts source-framed entries (4-byte big-endian length, then the document) and decodes each on its own.
    private mutating func decodeEntries(_ input: [UInt8], emit: (ManifestRecord) -> Void) {
        guard var pending = entries.take() else { return }
        defer { entries = pending }
        pending.append(contentsOf: input)
        var index = 0
        var count = 0
        while pending.count - index >= 4 {
            let length = Int(pending[index]) << 24 | Int(pending[index + 1]) << 16 | Int(pending[index + 2]) << 8 | Int(pending[index + 3])
            guard pending.count - index - 4 >= length else { break }
            let start = index + 4
            let offset = entriesOffset + start + base
            pending.withUnsafeBytes { raw in
                let bytes = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                if Self.decode(bytes, offset: offset, end: offset + length, pruned: pruned, rejects: rejects, emit: emit) {
                    count += 1
                }
            }
            index = start + length
        }
        entriesOffset += index
        pending.removeFirst(index)
        decoded.add(count)
    }

    /// Ends the input: a document that ends with it is decoded, one cut short is a framing failure. After a stop
    /// the input was cut between chunks, so an open document is left unread rather than reported broken: the run
    /// ends as stopped, and a resumed run reads it from its start (the last checkpoint is before it).
    mutating func finish(emit: (ManifestRecord) -> Void) throws {
        guard stop?.isStopped != true else { return }
        try decodeFrames(.finalize, emit: emit)
    }

    /// Decodes one document at absolute `offset` (pruned to the fields the stages read, when they allow) and emits
    /// it; a document that does not parse goes to the dead-letter log, its error located in the stream: the
    /// absolute offset, and with a text `frame` the line and column counted from where this run's framing began
    /// (the file's start, or the resume point of a resumed run, or the restart after a dead-lettered timeout);
    /// without one, a length-prefixed entry, they count within the document. Returns whether it was emitted.
    private static func decode(
        _ bytes: UnsafeRawBufferPointer, offset: Int, end: Int, frame: JSONFrame? = nil, pruned: JSONProjectingParser?,
        rejects: RejectLog, emit: (ManifestRecord) -> Void
    ) -> Bool {
        do {
            // The pruned parser leaves invalid documents and non-objects to the full parser, which locates errors.
            let value = try pruned?.parse(bytes) ?? JSONDocumentParser.parse(bytes, baseOffset: frame == nil ? offset : 0)
            emit(ManifestRecord(value: value, offset: offset, end: end))
            return true
        } catch {
            var located: any Error = error
            if var frame, let parseError = error as? JSONParseError {
                frame.offset = offset
                located = parseError.relocated(to: frame)
            }
            rejects.reject(stage: "decode", offset: offset, error: "\(located)", document: String(decoding: bytes, as: UTF8.self))
            return false
        }
    }

    /// What the framers are asked to do.
    private enum FramingStep {
        case feed([UInt8])
        case finalize
    }

    /// Feeds or finalizes the framers and decodes every document they yield: a document that does not parse goes
    /// to the dead-letter log; a framing error is logged once and makes the stage ignore the rest of its input.
    private mutating func decodeFrames(_ step: FramingStep, emit: (ManifestRecord) -> Void) throws {
        guard !failed else { return }
        var count = 0
        let rejects = rejects, base = base + restartBase, pruned = pruned
        func onFrame(_ frame: JSONFrame, _ bytes: UnsafeRawBufferPointer) {
            if Self.decode(bytes, offset: frame.offset + base, end: frame.endOffset + base, frame: frame, pruned: pruned,
                rejects: rejects, emit: emit) {
                count += 1
            }
        }
        do {
            switch step {
            case .feed(let input):
                try input.withUnsafeBytes { chunk in
                    try assembler?.feed(chunk, onFrame: onFrame)
                    try prefixed?.feed(chunk, onFrame: onFrame)
                }
            case .finalize:
                try assembler?.finalize(onFrame: onFrame)
                try prefixed?.finalize(onFrame: onFrame)
            }
        } catch let error as JSONParseError {
            failed = true
            rejects.failFraming(error)
        }
        decoded.add(count)
    }
}
