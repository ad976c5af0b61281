import Foundation
import Logging
import SiskinAgent
import SiskinExport
import SiskinSync
import SiskinTesting
import Synchronization
import Testing

/// A receiver stand-in: answers each POST from a script (then the last answer
/// for ever) and records what it was sent.
final class ScriptedClient: RemoteWriteClient, @unchecked Sendable {
    struct Log: Sendable {
        var requests: [HTTPRequest] = []
    }

    let script: [PostResult]
    let log = Mutex(Log())
    /// Blocks every post until opened (to fill queues).
    let gate: NSCondition
    private var open: Bool

    init(_ script: [PostResult], gated: Bool = false) {
        self.script = script
        gate = NSCondition()
        open = !gated
    }

    func post(_ request: HTTPRequest) -> PostResult {
        gate.lock()
        while !open { gate.wait() }
        gate.unlock()
        let n = log.locked { log in
            log.requests.append(request)
            return log.requests.count
        }
        return script[min(n - 1, script.count - 1)]
    }

    func release() {
        gate.lock()
        open = true
        gate.broadcast()
        gate.unlock()
    }
}

@Suite("Remote write sender: retry policy, batching, queue bounds, headers")
struct SenderTests {
    static func series(_ name: String, samples: Int, start: Int64 = 1_000) -> ExportSeries {
        ExportSeries(labels: [ExportLabel("__name__", name)],
                     samples: (0..<samples).map { ExportSample(timestamp: start + Int64($0) * 1000, value: Double($0)) })
    }

    static func configuration(shards: Int = 1, maxSamples: Int = 100, capacity: Int = 10_000) -> RemoteWriteConfiguration {
        RemoteWriteConfiguration(
            endpoints: [RemoteWriteEndpoint(url: "http://receiver.invalid/api/v1/write")], shards: shards,
            maxSamplesPerSend: maxSamples, queueCapacity: capacity, minBackoffSeconds: 0.01, maxBackoffSeconds: 0.05)
    }

    /// A sender whose one shard posts to a scripted client.
    static func sender(_ script: [PostResult], _ configuration: RemoteWriteConfiguration, gated: Bool = false) -> (RemoteWriteSender, ScriptedClient) {
        let box = ScriptedClient(script, gated: gated)
        let client = box
        let sender = RemoteWriteSender(endpoint: configuration.endpoints[0], configuration: configuration,
                                       logger: Logger(label: "test"), makeClient: { client })
        return (sender, box)
    }

    static func waitFor(_ condition: () -> Bool) -> Bool {
        waitUntil(timeout: 10, condition)
    }

    @Test("the policy: 2xx delivered, 5xx and 429 retried (Retry-After kept), other 4xx dropped")
    func policy() {
        #expect(RetryPolicy.decide(status: 200) == .delivered)
        #expect(RetryPolicy.decide(status: 204) == .delivered)
        for status in [500, 502, 503, 504, 599] { #expect(RetryPolicy.decide(status: status) == .retry(notBefore: nil)) }
        #expect(RetryPolicy.decide(status: 429, retryAfterSeconds: 7) == .retry(notBefore: 7))
        #expect(RetryPolicy.decide(status: 503, retryAfterSeconds: 2) == .retry(notBefore: 2))
        for status in [400, 401, 403, 404, 409, 413, 415, 422] { #expect(RetryPolicy.decide(status: status) == .drop) }
        #expect(RetryPolicy.transportFailure == .retry(notBefore: nil))
    }

    @Test("503, 429 and a refused connection are retried until delivered; the body and headers are remote write 1.0")
    func retriesThenDelivers() throws {
        let (sender, box) = Self.sender(
            [.response(status: 503, retryAfterSeconds: nil), .response(status: 429, retryAfterSeconds: 0.05),
             .failed("connection refused"), .response(status: 204, retryAfterSeconds: nil)],
            Self.configuration())
        defer { sender.shutdown() }
        sender.enqueue([Self.series("a_total", samples: 3)])
        #expect(Self.waitFor { sender.statistics.samplesSent == 3 })
        let stats = sender.statistics
        #expect(stats.samplesRetried == 9)
        #expect(stats.samplesFailed == 0)
        #expect(stats.requestsSent == 1)
        #expect(stats.newestSentMilliseconds == 3_000)
        let requests = box.log.locked { $0.requests }
        #expect(requests.count == 4)
        // Every attempt sends the same batch.
        #expect(Set(requests.map(\.body)).count == 1)
        let request = try #require(requests.last)
        let headers = Dictionary(request.headers, uniquingKeysWith: { a, _ in a })
        #expect(headers["Content-Encoding"] == "snappy")
        #expect(headers["Content-Type"] == "application/x-protobuf")
        #expect(headers["X-Prometheus-Remote-Write-Version"] == "0.1.0")
        #expect(request.userAgent?.hasPrefix("siskin/") == true)
        #expect(request.method == .post)
        let decoded = try WriteRequestDecoder.decode(try Snappy.uncompress(request.body))
        #expect(decoded == [Self.series("a_total", samples: 3)])
    }

    @Test("400 is dropped after one attempt and counted; the next batch still goes out")
    func badRequestNotRetried() {
        let (sender, box) = Self.sender(
            [.response(status: 400, retryAfterSeconds: nil), .response(status: 200, retryAfterSeconds: nil)],
            Self.configuration())
        defer { sender.shutdown() }
        sender.enqueue([Self.series("bad", samples: 2)])
        #expect(Self.waitFor { sender.statistics.samplesFailed == 2 })
        sender.enqueue([Self.series("good", samples: 5)])
        #expect(Self.waitFor { sender.statistics.samplesSent == 5 })
        #expect(box.log.locked { $0.requests.count } == 2)
        #expect(sender.statistics.samplesRetried == 0)
    }

    @Test("batches hold at most max samples per send; a long series is split in order")
    func batching() throws {
        let (sender, box) = Self.sender([.response(status: 200, retryAfterSeconds: nil)], Self.configuration(maxSamples: 4))
        defer { sender.shutdown() }
        sender.enqueue([Self.series("long", samples: 10), Self.series("short", samples: 1)])
        #expect(Self.waitFor { sender.statistics.samplesSent == 11 })
        let bodies = try box.log.locked { $0.requests }.map { try WriteRequestDecoder.decode(try Snappy.uncompress($0.body)) }
        #expect(bodies.map { $0.reduce(0) { $0 + $1.samples.count } } == [4, 4, 3])
        let long = bodies.flatMap { $0 }.filter { $0.labels.first?.value == "long" }.flatMap(\.samples)
        #expect(long == Self.series("long", samples: 10).samples)
    }

    @Test("a full queue drops the oldest samples and counts them")
    func boundedQueue() {
        let (sender, box) = Self.sender([.response(status: 200, retryAfterSeconds: nil)],
                                        Self.configuration(maxSamples: 10, capacity: 20), gated: true)
        defer { sender.shutdown() }
        // The shard takes the first batch and blocks on the gate; the rest queues.
        sender.enqueue([Self.series("s0", samples: 10)])
        #expect(Self.waitFor { box.log.locked { _ in true } && sender.statistics.queueLength == 0 })
        for i in 1...5 { sender.enqueue([Self.series("s\(i)", samples: 10)]) }
        #expect(sender.statistics.samplesDropped == 30)
        #expect(sender.statistics.queueLength == 20)
        box.release()
        #expect(Self.waitFor { sender.statistics.samplesSent == 30 })
        let sent = box.log.locked { $0.requests }.compactMap { try? WriteRequestDecoder.decode(try Snappy.uncompress($0.body)) }
        #expect(sent.flatMap { $0 }.compactMap(\.labels.first?.value) == ["s0", "s4", "s5"])
    }

    @Test("shards: a series always goes to the same shard")
    func sharding() {
        let labels = [ExportLabel("__name__", "x"), ExportLabel("pod", "p-1")]
        let shard = RemoteWriteSender.shard(of: labels, count: 4)
        for _ in 0..<10 { #expect(RemoteWriteSender.shard(of: labels, count: 4) == shard) }
        let spread = Set((0..<200).map { RemoteWriteSender.shard(of: [ExportLabel("pod", "p-\($0)")], count: 4) })
        #expect(spread == [0, 1, 2, 3])
    }
}
