import Metrics
import Synchronization

/// A swift-metrics factory that sums counter increments by `label{dim=value,...}`; other kinds are discarded.
final class RecordingMetricsFactory: MetricsFactory, Sendable {
    private let storage = Mutex<[String: Int64]>([:])

    /// Totals by `label{dimensions}`.
    var counts: [String: Int64] { storage.withLock { $0 } }

    final class Handler: CounterHandler, Sendable {
        let key: String
        let factory: RecordingMetricsFactory
        init(key: String, factory: RecordingMetricsFactory) {
            self.key = key
            self.factory = factory
        }
        func increment(by amount: Int64) { factory.storage.withLock { $0[key, default: 0] += amount } }
        func reset() { factory.storage.withLock { $0[key] = 0 } }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let key = label + "{" + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
        return Handler(key: key, factory: self)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        NOOPMetricsHandler.instance
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        NOOPMetricsHandler.instance
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { NOOPMetricsHandler.instance }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}
