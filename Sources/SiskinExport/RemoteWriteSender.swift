import Foundation
import Logging
import SiskinAgent
import Synchronization

/// Sends to one remote-write endpoint: `shards` threads, each with its own
/// bounded queue and libcurl handle, off Swift concurrency's pool (libcurl
/// blocks). A series always maps to the same shard, so its samples go out
/// in order; a shard retrying a batch holds back the batches behind it, as
/// Prometheus' own queue manager does.
public final class RemoteWriteSender: Sendable {
    public let endpoint: RemoteWriteEndpoint
    private let configuration: RemoteWriteConfiguration
    private let queues: [SampleQueue]
    private let stats: Mutex<RemoteWriteStats>
    private let logger: Logger
    private let finished: Mutex<Int>

    /// Starts the shard threads. `makeClient` is called once per thread, on
    /// it.
    public init(
        endpoint: RemoteWriteEndpoint, configuration: RemoteWriteConfiguration, logger: Logger,
        makeClient: @escaping @Sendable () -> any RemoteWriteClient = { CurlRemoteWriteClient() }
    ) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.logger = logger
        queues = (0..<configuration.shards).map { _ in SampleQueue(capacity: configuration.queueCapacity) }
        stats = Mutex(RemoteWriteStats(url: endpoint.redactedURL))
        finished = Mutex(0)
        for (index, queue) in queues.enumerated() {
            let thread = Thread { [self] in
                self.runShard(index, queue: queue, client: makeClient())
                self.finished.withLock { $0 += 1 }
            }
            thread.name = "siskin-remote-write-\(index)"
            thread.start()
        }
    }

    /// Queues series pieces, each to the shard its labels hash to.
    public func enqueue(_ series: [ExportSeries]) {
        guard !series.isEmpty else { return }
        var perShard = [[ExportSeries]](repeating: [], count: queues.count)
        for piece in series {
            perShard[Self.shard(of: piece.labels, count: queues.count)].append(piece)
        }
        var dropped = 0
        for (index, pieces) in perShard.enumerated() where !pieces.isEmpty {
            dropped += queues[index].put(pieces)
        }
        if dropped > 0 {
            let total = stats.withLock { s in
                s.samplesDropped += dropped
                return s.samplesDropped
            }
            logger.warning("remote write queue full: oldest samples dropped", metadata: [
                "url": "\(endpoint.redactedURL)", "dropped": "\(dropped)", "dropped_total": "\(total)",
            ])
        }
    }

    public var statistics: RemoteWriteStats {
        var s = stats.withLock { $0 }
        s.queueLength = queues.reduce(0) { $0 + $1.count }
        return s
    }

    /// Stops accepting work; each shard sends what it holds once (no retries)
    /// and exits. Waits up to `grace` seconds for them.
    public func shutdown(grace: Double = 5) {
        for queue in queues { queue.close() }
        let deadline = Date().addingTimeInterval(grace)
        while finished.withLock({ $0 }) < queues.count && Date() < deadline { usleep(10_000) }
    }

    /// A stable shard for a label set (FNV-1a over names and values).
    public static func shard(of labels: [ExportLabel], count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for label in labels {
            for byte in label.name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xff) &* 0x100_0000_01b3
            for byte in label.value.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xfe) &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(count))
    }

    private func runShard(_ index: Int, queue: SampleQueue, client: any RemoteWriteClient) {
        var backoff = Backoff(base: configuration.minBackoffSeconds, maximum: configuration.maxBackoffSeconds)
        var failing = false
        while let batch = queue.take(maxSamples: configuration.maxSamplesPerSend) {
            let samples = batch.reduce(0) { $0 + $1.samples.count }
            let newest = batch.reduce(Int64.min) { max($0, $1.samples.last?.timestamp ?? .min) }
            let body = Snappy.compress(RemoteWriteEncoder.encode(batch))
            while true {
                let request = RemoteWriteRequest.make(endpoint, body: body, timeoutSeconds: configuration.timeoutSeconds)
                let result = client.post(request)
                let decision: SendDecision
                switch result {
                case .response(let status, let retryAfter): decision = RetryPolicy.decide(status: status, retryAfterSeconds: retryAfter)
                case .failed: decision = RetryPolicy.transportFailure
                }
                switch decision {
                case .delivered:
                    stats.withLock { s in
                        s.samplesSent += samples
                        s.requestsSent += 1
                        s.bytesSent += body.count
                        s.newestSentMilliseconds = max(s.newestSentMilliseconds ?? .min, newest)
                    }
                    if failing {
                        logger.info("remote write recovered", metadata: ["url": "\(endpoint.redactedURL)", "shard": "\(index)"])
                        failing = false
                    }
                    backoff.reset()
                case .drop:
                    stats.withLock { $0.samplesFailed += samples }
                    logger.error("remote write refused a batch; dropped (not retried)", metadata: [
                        "url": "\(endpoint.redactedURL)", "shard": "\(index)", "samples": "\(samples)",
                        "result": "\(Self.describe(result))",
                    ])
                case .retry(let notBefore):
                    if queue.isClosed {
                        stats.withLock { $0.samplesFailed += samples }
                        break
                    }
                    let delay = backoff.nextDelay(atLeast: notBefore ?? configuration.minBackoffSeconds)
                    if !failing {
                        logger.warning("remote write failing; retrying with backoff", metadata: [
                            "url": "\(endpoint.redactedURL)", "shard": "\(index)", "result": "\(Self.describe(result))",
                        ])
                        failing = true
                    }
                    stats.withLock { $0.samplesRetried += samples }
                    if queue.sleep(seconds: delay) {
                        // Closed while waiting: one last attempt, then give up.
                        let last = client.post(RemoteWriteRequest.make(endpoint, body: body, timeoutSeconds: min(configuration.timeoutSeconds, 5)))
                        if case .response(let status, _) = last, (200..<300).contains(status) {
                            stats.withLock { s in
                                s.samplesSent += samples
                                s.requestsSent += 1
                                s.bytesSent += body.count
                            }
                        } else {
                            stats.withLock { $0.samplesFailed += samples }
                        }
                        break
                    }
                    continue
                }
                break
            }
        }
    }

    static func describe(_ result: PostResult) -> String {
        switch result {
        case .response(let status, let retryAfter): "HTTP \(status)" + (retryAfter.map { " Retry-After \($0)s" } ?? "")
        case .failed(let message): message
        }
    }
}
