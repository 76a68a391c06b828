/// `redis://HOST:PORT/STREAM`: Redis Streams, partitioned, as a source (a consumer group shared by every node
/// running the same manifest) and as a sink.
///
/// As a source it reads the partitions this node leases and hands each entry's `field` on as one length-prefixed document;
/// entries are acknowledged once their output is durable. As a sink it appends each output record to the
/// partition stream its key hashes to. See `RedisStreamSource` and `RedisStreamSink`, and the README for the
/// guarantees.
public enum RedisStreamsConnector {
    /// The connector, registered in `ConnectorRegistry.standard`.
    public static let connector = Connector(
        scheme: "redis", summary: "Redis Streams: one stream per partition, consumer groups, leases (swift-nio)",
        forms: ["redis://HOST:PORT/STREAM", "redis://HOST:PORT/STREAM?partitions=8&group=sluice"],
        options: RedisStreamConfiguration.options,
        openSource: { endpoint in
            let source = try RedisStreamSource(configuration: RedisStreamConfiguration(endpoint))
            return ConnectorSource(RedisStreamReader(source: source), acknowledged: source, isLengthPrefixed: true)
        },
        openSink: { endpoint in RedisStreamSink(configuration: try RedisStreamConfiguration(endpoint)) },
        checkTarget: { endpoint, _ throws(ConnectorError) in _ = try RedisStreamConfiguration.split(endpoint) })
}
