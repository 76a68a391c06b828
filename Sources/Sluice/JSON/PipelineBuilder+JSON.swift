extension PipelineBuilder where Chain.Output == [UInt8] {
    /// Appends a framing stage: byte chunks in, one `JSONDocumentBytes` per document out.
    ///
    /// ```swift
    /// let values = OutputCollector<JSONValue>()
    /// let pipeline = Pipeline.source("events", FileByteSource(path: "events.ndjson"))
    ///     .frames(.newlineDelimited)
    ///     .values()
    ///     .filter("errors") { $0["level"] == .string("error") }
    ///     .sink(values)
    /// try SyncEngine().run(pipeline)
    /// ```
    ///
    /// `idleTimeout` guards against a source that stops inside a document (see `FramingIdleTimeout`); nil takes
    /// the source's default (`PipelineSource.framingIdleTimeout`: on for network sources, off for files).
    public func frames(
        _ mode: JSONFramingAssembler.Mode, limits: JSONLimits = .default, idleTimeout: FramingIdleTimeout? = nil
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<JSONFramingOperator<JSONFramingAssembler>>>> {
        frames(nil, framer: JSONFramingAssembler(mode: mode, limits: limits), idleTimeout: idleTimeout)
    }

    /// Appends a framing stage named `name`; see `frames(_:limits:)`.
    public func frames(
        _ name: String, _ mode: JSONFramingAssembler.Mode, limits: JSONLimits = .default,
        idleTimeout: FramingIdleTimeout? = nil
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<JSONFramingOperator<JSONFramingAssembler>>>> {
        frames(name, framer: JSONFramingAssembler(mode: mode, limits: limits), idleTimeout: idleTimeout)
    }

    /// Appends a stage that frames and parses in one pass: byte chunks in, one `JSONValue` per document out, what
    /// `.frames(mode).values()` gives, with each document's bytes read once instead of twice, and a document that does
    /// not parse dead-lettered on its own (see `JSONFramedValuesOperator`).
    ///
    /// ```swift
    /// let pipeline = Pipeline.source("events", FileByteSource(path: "events.ndjson"))
    ///     .values(.newlineDelimited)
    ///     .filter("errors") { $0["level"] == .string("error") }
    ///     .sink(values)
    /// ```
    ///
    /// `idleTimeout` as in `frames(_:limits:idleTimeout:)`.
    public func values(
        _ mode: JSONFramingAssembler.Mode, name: String? = nil, limits: JSONLimits = .default,
        idleTimeout: FramingIdleTimeout? = nil
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<JSONFramedValuesOperator>>> {
        stage(
            name ?? "values\(stageNames.count)",
            JSONFramedValuesOperator(mode: mode, limits: limits, idleTimeout: idleTimeout ?? source.framingIdleTimeout))
    }

    /// Appends a framing stage with any framer (for example a `JSONLengthPrefixedReader`); `idleTimeout` as in
    /// `frames(_:limits:idleTimeout:)`.
    public func frames<Framer: JSONFraming>(
        _ name: String? = nil, framer: Framer, idleTimeout: FramingIdleTimeout? = nil
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<JSONFramingOperator<Framer>>>> {
        stage(
            name ?? "frames\(stageNames.count)",
            JSONFramingOperator(framer, idleTimeout: idleTimeout ?? source.framingIdleTimeout))
    }
}

extension PipelineBuilder where Chain.Output == JSONDocumentBytes {
    /// Appends a materialization stage: each document parsed into a `JSONValue`.
    public func values(
        _ name: String? = nil, limits: JSONLimits = .default
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<JSONMaterializeOperator>>> {
        stage(name ?? "values\(stageNames.count)", JSONMaterializeOperator(limits: limits))
    }

    /// Appends a token stage: each document's tokens, counted into `tokens_emitted_total`.
    public func tokens(
        _ name: String? = nil, limits: JSONLimits = .default
    ) -> PipelineBuilder<Source, ComposedChain<Chain, StageNode<JSONTokenizeOperator>>> {
        stage(name ?? "tokens\(stageNames.count)", JSONTokenizeOperator(limits: limits))
    }
}
