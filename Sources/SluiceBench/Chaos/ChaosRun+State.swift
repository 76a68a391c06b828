import DequeModule
import Sluice
import SluiceTestKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ChaosRun {
    /// Everything one run mutates, confined to the run's thread.
    struct RunState {
        let configuration: ChaosConfiguration
        let clock: any MonotonicClock
        let channel: BoundedChannel<[UInt8]>
        let quarantine = QuarantineSink()
        let deadLetters: DeadLetterRouter
        var generator: SeededRandomNumberGenerator
        var jitter: SeededRandomNumberGenerator

        // Producer
        var nextSequence: UInt64 = 0
        var pending = Deque<[UInt8]>()
        var invalidInjected = 0
        var poisonSequences: Set<UInt64> = []
        var expectedAggregate: [Int: Int] = [:]
        var stageFailureSchedule: PeriodicFault
        var poisonSchedule: PeriodicFault
        var malformedSchedule: PeriodicFault
        var truncatedSchedule: PeriodicFault
        var slowSchedule: PeriodicFault
        var memorySchedule: PeriodicFault

        // Stage
        var inFlight = Deque<[UInt8]>()
        var receiveBuffer: [[UInt8]] = []
        var failNext = false
        var restartAt: UInt64?
        var failedAt: UInt64?
        var tracker: RestartTracker
        var recoveries: [Double] = []
        var stageFailures = 0
        var restarts = 0
        var slowUntil = -1.0

        // Sink
        var checker: SequenceChecker
        var observed: [UInt64] = []
        var delivered = 0
        var aggregate: [Int: Int] = [:]
        var invalidRejected = 0
        var poisonQuarantined = 0
        var poisonSuppressed = 0

        // Memory pressure
        var pressure: UnsafeMutableRawPointer?
        var pressureReleaseAt = 0.0
        var pressureBefore: MemoryProbe.Sample?
        var pressurePeak: MemoryProbe.Sample?
        var pressureAfter: [MemoryProbe.Sample] = []
        var pressureBeforeAll: [MemoryProbe.Sample] = []
        var pressurePeakAll: [MemoryProbe.Sample] = []
        var memoryEvents = 0

        var snapshots: [SoakSnapshot] = []
        var drainSteps = 0

        init(configuration: ChaosConfiguration, clock: any MonotonicClock) {
            self.configuration = configuration
            self.clock = clock
            channel = BoundedChannel(capacity: .bounded(configuration.channelCapacity), name: "chaos-input", clock: clock)
            deadLetters = DeadLetterRouter(policy: DeadLetterPolicy(sink: quarantine, ratePerSecond: 1_000, burst: 200,
                clock: clock))
            generator = SeededRandomNumberGenerator(seed: configuration.seed)
            jitter = SeededRandomNumberGenerator(seed: configuration.seed ^ 0x9E37_79B9)
            stageFailureSchedule = PeriodicFault(every: configuration.stageFailureEverySeconds)
            poisonSchedule = PeriodicFault(every: configuration.poisonBurstEverySeconds)
            malformedSchedule = PeriodicFault(every: configuration.malformedBurstEverySeconds)
            truncatedSchedule = PeriodicFault(every: configuration.truncatedBurstEverySeconds)
            slowSchedule = PeriodicFault(every: configuration.slowConsumerEverySeconds)
            memorySchedule = PeriodicFault(every: configuration.memoryPressureEverySeconds)
            tracker = RestartTracker(policy: RestartPolicy(
                initialDelay: .nanoseconds(Int64(configuration.restartInitialDelaySeconds * 1e9)), multiplier: 2,
                maxDelay: .nanoseconds(Int64(configuration.restartMaxDelaySeconds * 1e9)), jitter: 0.2,
                maxRestarts: 1_000_000, window: .seconds(1)))
            checker = SequenceChecker(expectedCount: 0)
        }

        var isDrained: Bool {
            pending.isEmpty && inFlight.isEmpty && channel.depth == 0 && restartAt == nil
        }

        // MARK: Producer

        mutating func produce(elapsed: Double) {
            if pending.isEmpty {
                for _ in 0..<configuration.recordsPerStep { pending.append(makeRecord(poison: false)) }
                if poisonSchedule.isDue(at: elapsed) {
                    for _ in 0..<configuration.poisonBurstSize { pending.append(makeRecord(poison: true)) }
                }
                if malformedSchedule.isDue(at: elapsed) {
                    for index in 0..<configuration.malformedBurstSize {
                        pending.append(Array("{\"seq\":,\"key\"::\(index)]".utf8))
                        invalidInjected += 1
                    }
                }
                if truncatedSchedule.isDue(at: elapsed) {
                    for _ in 0..<configuration.truncatedBurstSize {
                        let whole = Array("{\"seq\":\(UInt64.max),\"key\":\"k0\",\"value\":1}".utf8)
                        pending.append(Array(whole.prefix(Int.random(in: 1..<whole.count - 1, using: &generator))))
                        invalidInjected += 1
                    }
                }
            }
            // Backpressure: offer what is pending; what the channel refuses stays pending, and nothing new is
            // made until it is taken, so the producer's memory stays bounded too.
            switch channel.trySend(contentsOf: pending) {
            case .enqueued: pending.removeAll(keepingCapacity: true)
            case .full(let accepted), .finished(let accepted): pending.removeFirst(accepted)
            }
        }

        mutating func makeRecord(poison: Bool) -> [UInt8] {
            let sequence = nextSequence
            nextSequence += 1
            let key = Int.random(in: 0..<configuration.keyCount, using: &generator)
            let value = Int.random(in: 1...1_000, using: &generator)
            if poison {
                poisonSequences.insert(sequence)
            } else {
                expectedAggregate[key, default: 0] += value
            }
            let text = "{\"seq\":\(sequence),\"key\":\"k\(key)\",\"value\":\(value),\"payload\":{\"ok\":\(!poison)}\(poison ? ",\"poison\":true" : "")}"
            return Array(text.utf8)
        }

        // MARK: Stage

        mutating func consume(elapsed: Double, now: UInt64) {
            if stageFailureSchedule.isDue(at: elapsed) { failNext = true }
            if slowSchedule.isDue(at: elapsed) { slowUntil = elapsed + configuration.slowConsumerSeconds }
            if let due = restartAt {
                guard now >= due else { return }  // still backing off: input waits in the channel
                restartAt = nil
                restarts += 1
            }
            let batch = elapsed < slowUntil
                ? max(1, configuration.consumerBatch / configuration.slowdownFactor) : configuration.consumerBatch
            if inFlight.count < batch {
                receiveBuffer.removeAll(keepingCapacity: true)
                if case .value = channel.tryReceive(into: &receiveBuffer, maxCount: batch - inFlight.count) {
                    inFlight.append(contentsOf: receiveBuffer)
                }
            }
            var processed = 0
            while processed < batch, let line = inFlight.first {
                do {
                    try process(line)
                    inFlight.removeFirst()
                    processed += 1
                    if let failedAt {
                        recoveries.append(Double(clock.nowNanoseconds() &- failedAt) / 1e6)
                        self.failedAt = nil
                    }
                } catch is StageCrash {
                    // The stage died with `line` in flight; it stays in flight and is processed again after the restart.
                    stageFailures += 1
                    failedAt = failedAt ?? now
                    switch tracker.recordFailure(atNanoseconds: now, using: &jitter) {
                    case .restart(let delay, _): restartAt = now &+ delay
                    case .giveUp: restartAt = now &+ UInt64(configuration.restartMaxDelaySeconds * 1e9)
                    }
                    return
                } catch {
                    inFlight.removeFirst()  // quarantined or rejected: routed, never silently dropped
                    processed += 1
                }
            }
        }

        mutating func process(_ line: [UInt8]) throws {
            let value: JSONValue
            do {
                value = try JSONValue(parsing: line)
            } catch {
                invalidRejected += 1
                deadLetters.route(element: line, error: error, stageName: "parse")
                throw error
            }
            guard case .number(let number)? = value["seq"], let sequence = number.int64Value,
                case .string(let keyText)? = value["key"], let key = Int(keyText.dropFirst()),
                case .number(let amount)? = value["value"], let amountValue = amount.int64Value
            else {
                invalidRejected += 1
                let error = PoisonRecord()
                deadLetters.route(element: line, error: error, stageName: "parse")
                throw error
            }
            if value["poison"] == .bool(true) {
                let routed = deadLetters.route(element: line, error: PoisonRecord(), stageName: "aggregate")
                poisonQuarantined += 1
                if !routed { poisonSuppressed += 1 }
                observed.append(UInt64(sequence))
                throw PoisonRecord()
            }
            if failNext {
                failNext = false
                throw StageCrash()
            }
            aggregate[key, default: 0] += Int(amountValue)
            observed.append(UInt64(sequence))
            delivered += 1
        }

        // MARK: Memory pressure

        mutating func applyMemoryPressure(elapsed: Double, memory: MemoryProbe) {
            if pressure != nil, elapsed >= pressureReleaseAt {
                releaseMemoryPressure(memory: memory)
            }
            guard pressure == nil, memorySchedule.isDue(at: elapsed), configuration.memoryPressureBytes > 0 else { return }
            pressureBeforeAll.append(memory.sample())
            let bytes = configuration.memoryPressureBytes
            guard let block = malloc(bytes) else { return }
            var offset = 0
            while offset < bytes {  // touch every page so the pressure is resident, not just reserved
                block.storeBytes(of: UInt8(truncatingIfNeeded: offset), toByteOffset: offset, as: UInt8.self)
                offset += 4096
            }
            pressure = block
            pressurePeakAll.append(memory.sample())
            pressureReleaseAt = elapsed + configuration.memoryPressureSeconds
            memoryEvents += 1
        }

        mutating func releaseMemoryPressure(memory: MemoryProbe) {
            guard let block = pressure else { return }
            free(block)
            pressure = nil
            pressureAfter.append(memory.sample())
        }

        // MARK: Report

        func report() -> ChaosReport {
            var checker = SequenceChecker(expectedCount: nextSequence)
            checker.observe(observed)
            let result = checker.report
            let sortedRecoveries = recoveries.sorted()
            func percentile(_ p: Double) -> Double? {
                guard !sortedRecoveries.isEmpty else { return nil }
                let rank = Int((p * Double(sortedRecoveries.count - 1)).rounded(.up))
                return sortedRecoveries[min(rank, sortedRecoveries.count - 1)]
            }
            func returned(_ field: KeyPath<MemoryProbe.Sample, Double?>) -> Double? {
                var fractions: [Double] = []
                for index in pressureAfter.indices where index < pressurePeakAll.count && index < pressureBeforeAll.count {
                    guard let before = pressureBeforeAll[index][keyPath: field],
                        let peak = pressurePeakAll[index][keyPath: field],
                        let after = pressureAfter[index][keyPath: field], peak > before
                    else { continue }
                    fractions.append(min(1, max(0, (peak - after) / (peak - before))))
                }
                return fractions.isEmpty ? nil : fractions.reduce(0, +) / Double(fractions.count)
            }
            let lost = Double(result.lostCount)
            return ChaosReport(
                recoveryMillisecondsP50: percentile(0.5), recoveryMillisecondsP99: percentile(0.99),
                recoveryMillisecondsMax: sortedRecoveries.last, producedCount: Int(nextSequence),
                deliveredCount: delivered, poisonQuarantinedCount: poisonQuarantined,
                poisonSuppressedCount: poisonSuppressed, invalidInjectedCount: invalidInjected,
                invalidRejectedCount: invalidRejected,
                lossPercent: nextSequence == 0 ? 0 : 100 * lost / Double(nextSequence),
                duplicateRatio: delivered == 0 ? 0 : Double(result.duplicateCount) / Double(delivered),
                stageFailures: stageFailures, restarts: restarts, peakDepth: channel.maxDepth,
                memoryPressureEvents: memoryEvents, memoryReturnedFractionRSS: returned(\.rssBytes),
                memoryReturnedFractionAllocated: returned(\.allocatedBytes), snapshots: snapshots,
                aggregateMatches: aggregate == expectedAggregate)
        }
    }
}
