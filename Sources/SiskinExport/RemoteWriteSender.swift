import Foundation
import Logging
import SiskinAgent
import SiskinStore
import SiskinSync
import Synchronization

/// Sends to one remote-write endpoint: `shards` threads, each with its own
/// bounded queue and libcurl handle, off Swift concurrency's pool (libcurl
/// blocks). A series always maps to the same shard, so its samples go out
/// in order; a shard retrying a batch holds back the batches behind it, as
/// Prometheus' own queue manager does.
///
/// With a directory the queues are on disk (`SegmentQueue`, under
/// `<directory>/<endpoint>/shard-<i>-of-<n>/`): what the receiver has not
/// acknowledged survives a crash or a restart and is sent when the sender
/// starts again. Without one they are in memory.
public final class RemoteWriteSender: Sendable {
    public let endpoint: RemoteWriteEndpoint
    private let configuration: RemoteWriteConfiguration
    private let queues: [ShardQueue]
    private let stats: Mutex<RemoteWriteStats>
    private let logger: Logger
    private let finished: Mutex<Int>
    /// The largest `through` of the batches found on disk at start-up (see
    /// `QueuedBatch.through`).
    public let restoredThrough: Int64?
    /// Whether the queues are on disk.
    public let durable: Bool

    /// Opens the queues and starts the shard threads. `makeClient` is called
    /// once per thread, on it. A queue directory that cannot be opened
    /// leaves that shard in memory (logged), never stops the server.
    public init(
        endpoint: RemoteWriteEndpoint, configuration: RemoteWriteConfiguration, logger: Logger,
        directory: String? = nil,
        makeClient: @escaping @Sendable () -> any RemoteWriteClient = { CurlRemoteWriteClient() }
    ) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.logger = logger
        var stats = RemoteWriteStats(url: endpoint.redactedURL)
        var queues: [ShardQueue] = []
        var through: Int64?
        let shards = configuration.shards
        let root = directory.map { $0 + "/" + Self.directoryName(endpoint) }
        if let root {
            stats.dropped[.reconfigured, default: 0] += Self.removeOtherShardings(root, shards: shards, logger: logger)
        }
        for index in 0..<shards {
            let label = "\(endpoint.redactedURL) shard \(index)"
            guard let root else {
                queues.append(ShardQueue(capacity: configuration.queueCapacity, logger: logger, label: label))
                continue
            }
            let path = root + "/shard-\(index)-of-\(shards)"
            do throws(PersistenceError) {
                let disk = try SegmentQueue(directory: path, maxBytes: max(1, configuration.queueMaxBytes / Int64(shards)))
                if disk.droppedAtOpen > 0 { stats.dropped[.diskLimit, default: 0] += disk.droppedAtOpen }
                if let t = disk.restoredThrough { through = max(through ?? .min, t) }
                if disk.pendingSamples > 0 {
                    logger.info("remote write queue restored from disk", metadata: [
                        "queue": "\(label)", "samples": "\(disk.pendingSamples)", "bytes": "\(disk.bytes)",
                    ])
                }
                queues.append(ShardQueue(disk: disk, capacity: configuration.queueCapacity, logger: logger, label: label))
            } catch {
                logger.error("remote write queue: cannot open on disk; this shard queues in memory", metadata: [
                    "queue": "\(label)", "path": "\(path)", "error": "\(error)",
                ])
                queues.append(ShardQueue(capacity: configuration.queueCapacity, logger: logger, label: label))
            }
        }
        self.queues = queues
        self.restoredThrough = through
        self.durable = root != nil
        self.stats = Mutex(stats)
        finished = Mutex(0)
        for (index, queue) in queues.enumerated() {
            let thread = Thread { [self] in
                self.runShard(index, queue: queue, client: makeClient())
                self.finished.locked { $0 += 1 }
            }
            thread.name = "siskin-remote-write-\(index)"
            thread.start()
        }
    }

    /// The endpoint's directory name: its host and path made file-name safe,
    /// and a hash of the whole URL, so two endpoints never share a queue and
    /// the same URL finds its queue again after a restart.
    public static func directoryName(_ endpoint: RemoteWriteEndpoint) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in endpoint.url.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let readable = endpoint.redactedURL.split(separator: "://", maxSplits: 1).last.map(String.init) ?? endpoint.url
        let safe = String(readable.unicodeScalars.prefix(64).map { scalar -> Character in
            scalar.properties.isAlphabetic && scalar.isASCII || ("0"..."9").contains(scalar) || scalar == "." || scalar == "-"
                ? Character(scalar) : "_"
        })
        let hex = String(hash, radix: 16)
        return safe + "-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Removes queues written under another shard count; returns the samples
    /// they held (counted as dropped, reason `reconfigured`).
    static func removeOtherShardings(_ root: String, shards: Int, logger: Logger) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return 0 }
        var dropped = 0
        for name in names where name.hasPrefix("shard-") && !name.hasSuffix("-of-\(shards)") {
            let path = root + "/" + name
            let samples = (try? SegmentQueue(directory: path, maxBytes: .max))?.pendingSamples ?? 0
            try? FileManager.default.removeItem(atPath: path)
            dropped += samples
            logger.warning("remote write queue written under another --remote-write-shards: dropped", metadata: [
                "path": "\(path)", "samples": "\(samples)",
            ])
        }
        return dropped
    }

    /// `series` split by shard and cut into encoded batches of at most
    /// `maxSamples`: done once per collection, shared by every endpoint.
    public static func batches(_ series: [ExportSeries], shards: Int, maxSamples: Int, through: Int64) -> [[QueuedBatch]] {
        var perShard = [[ExportSeries]](repeating: [], count: max(1, shards))
        for piece in series where !piece.samples.isEmpty {
            perShard[shard(of: piece.labels, count: perShard.count)].append(piece)
        }
        return perShard.map { QueuedBatch.batches($0, maxSamples: maxSamples, through: through) }
    }

    /// Queues series pieces, each to the shard its labels hash to.
    public func enqueue(_ series: [ExportSeries], through: Int64 = 0) {
        guard !series.isEmpty else { return }
        enqueue(batches: Self.batches(series, shards: queues.count, maxSamples: configuration.maxSamplesPerSend, through: through))
    }

    /// Queues batches made by `batches(_:shards:maxSamples:through:)` with
    /// this sender's shard count.
    public func enqueue(batches perShard: [[QueuedBatch]]) {
        precondition(perShard.count == queues.count, "batches for \(perShard.count) shards, sender has \(queues.count)")
        var dropped: [DropReason: Int] = [:]
        for (index, batches) in perShard.enumerated() where !batches.isEmpty {
            dropped.merge(queues[index].put(batches), uniquingKeysWith: +)
        }
        guard !dropped.isEmpty else { return }
        let total = stats.locked { s in
            s.dropped.merge(dropped, uniquingKeysWith: +)
            return s.samplesDropped
        }
        logger.warning("remote write queue full: oldest samples dropped", metadata: [
            "url": "\(endpoint.redactedURL)", "dropped": "\(dropped.values.reduce(0, +))",
            "reason": "\(dropped.keys.map(\.rawValue).sorted().joined(separator: ","))", "dropped_total": "\(total)",
        ])
    }

    public var statistics: RemoteWriteStats {
        var s = stats.locked { $0 }
        for queue in queues {
            let state = queue.state
            s.queueLength += state.samples
            s.queueBytes += state.bytes
            s.queueCorruptBytes += state.corruptBytes
            s.queueDiskErrors += state.diskErrors
        }
        return s
    }

    /// Stops accepting work; each shard finishes the request in flight and
    /// what waits in memory (once, no retries) and exits; what is on disk
    /// stays for the next start. Waits up to `grace` seconds for them.
    public func shutdown(grace: Double = 5) {
        for queue in queues { queue.close() }
        let deadline = Date().addingTimeInterval(grace)
        while finished.locked({ $0 }) < queues.count && Date() < deadline { usleep(10_000) }
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

    private func runShard(_ index: Int, queue: ShardQueue, client: any RemoteWriteClient) {
        var backoff = Backoff(base: configuration.minBackoffSeconds, maximum: configuration.maxBackoffSeconds)
        var failing = false
        while let (batch, durable) = queue.take() {
            let samples = batch.samples
            let body = batch.body
            func delivered() {
                stats.locked { s in
                    s.samplesSent += samples
                    s.requestsSent += 1
                    s.bytesSent += body.count
                    s.newestSentMilliseconds = max(s.newestSentMilliseconds ?? .min, batch.newest)
                }
                queue.ack()
            }
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
                    delivered()
                    if failing {
                        logger.info("remote write recovered", metadata: ["url": "\(endpoint.redactedURL)", "shard": "\(index)"])
                        failing = false
                    }
                    backoff.reset()
                case .drop:
                    stats.locked { $0.samplesFailed += samples }
                    queue.ack()
                    logger.error("remote write refused a batch; dropped (not retried)", metadata: [
                        "url": "\(endpoint.redactedURL)", "shard": "\(index)", "samples": "\(samples)",
                        "result": "\(Self.describe(result))",
                    ])
                case .retry(let notBefore):
                    // On disk, a batch not delivered by shutdown waits for the next start.
                    if queue.isClosed {
                        if !durable { stats.locked { $0.samplesFailed += samples } }
                        break
                    }
                    let delay = backoff.nextDelay(atLeast: notBefore ?? configuration.minBackoffSeconds)
                    if !failing {
                        logger.warning("remote write failing; retrying with backoff", metadata: [
                            "url": "\(endpoint.redactedURL)", "shard": "\(index)", "result": "\(Self.describe(result))",
                        ])
                        failing = true
                    }
                    stats.locked { $0.samplesRetried += samples }
                    if queue.sleep(seconds: delay) {
                        // Closed while waiting: one last attempt, then give up (or keep it on disk).
                        let last = client.post(RemoteWriteRequest.make(endpoint, body: body, timeoutSeconds: min(configuration.timeoutSeconds, 5)))
                        if case .response(let status, _) = last, (200..<300).contains(status) {
                            delivered()
                        } else if !durable {
                            stats.locked { $0.samplesFailed += samples }
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
