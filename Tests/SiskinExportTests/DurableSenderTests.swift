import Foundation
import Logging
import SiskinExport
import Testing

/// A sender with its queue on disk: what the receiver has not acknowledged when the
/// sender stops is sent, in order and once, by the next sender on the same directory.
@Suite("Remote write sender with a queue on disk")
struct DurableSenderTests {
    @Test("batches refused with 503 until shutdown are sent by the next sender on the same directory, in order, not counted as failed")
    func restartSendsWhatWasQueued() throws {
        let scratch = try DiskQueueTests.Scratch()
        let configuration = SenderTests.configuration(shards: 2, maxSamples: 4)
        let endpoint = configuration.endpoints[0]
        let down = ScriptedClient([.response(status: 503, retryAfterSeconds: nil)])
        let first = RemoteWriteSender(endpoint: endpoint, configuration: configuration, logger: Logger(label: "test"),
                                      directory: scratch.path, makeClient: { down })
        let series = (0..<6).map { SenderTests.series("s\($0)_total", samples: 5) }
        first.enqueue(series, through: 9_000)
        #expect(SenderTests.waitFor { first.statistics.samplesRetried > 0 })
        first.shutdown(grace: 5)
        let stopped = first.statistics
        #expect(stopped.samplesSent == 0)
        #expect(stopped.samplesFailed == 0)
        #expect(stopped.queueLength + 8 >= 30)  // at most one batch per shard in flight
        #expect(stopped.queueBytes > 0)

        let up = ScriptedClient([.response(status: 204, retryAfterSeconds: nil)])
        let second = RemoteWriteSender(endpoint: endpoint, configuration: configuration, logger: Logger(label: "test"),
                                       directory: scratch.path, makeClient: { up })
        defer { second.shutdown() }
        #expect(second.restoredThrough == 9_000)
        #expect(SenderTests.waitFor { second.statistics.samplesSent == 30 })
        let sent = try up.log.withLock { $0.requests }.map { try WriteRequestDecoder.decode(try Snappy.uncompress($0.body)) }
        // Every series arrives whole, its samples in order, none twice.
        var bySeries: [String: [ExportSample]] = [:]
        for s in sent.flatMap({ $0 }) { bySeries[s.labels.first { $0.name == "__name__" }!.value, default: []] += s.samples }
        #expect(bySeries == Dictionary(uniqueKeysWithValues: series.map { ($0.labels[0].value, $0.samples) }))
        #expect(SenderTests.waitFor { second.statistics.queueLength == 0 })

        // All acknowledged: a third sender has nothing to send.
        second.shutdown()
        let idle = ScriptedClient([.response(status: 204, retryAfterSeconds: nil)])
        let third = RemoteWriteSender(endpoint: endpoint, configuration: configuration, logger: Logger(label: "test"),
                                      directory: scratch.path, makeClient: { idle })
        defer { third.shutdown() }
        #expect(third.statistics.queueLength == 0)
        usleep(200_000)
        #expect(idle.log.withLock { $0.requests.isEmpty })
    }

    @Test("a queue written under another shard count is dropped at start-up and counted (reason reconfigured)")
    func reshardingDrops() throws {
        let scratch = try DiskQueueTests.Scratch()
        let endpoint = SenderTests.configuration().endpoints[0]
        let down = ScriptedClient([.response(status: 503, retryAfterSeconds: nil)], gated: true)
        let first = RemoteWriteSender(endpoint: endpoint, configuration: SenderTests.configuration(shards: 2, maxSamples: 4),
                                      logger: Logger(label: "test"), directory: scratch.path, makeClient: { down })
        first.enqueue((0..<4).map { SenderTests.series("s\($0)_total", samples: 4) })
        first.shutdown(grace: 0.2)
        down.release()
        let second = RemoteWriteSender(endpoint: endpoint, configuration: SenderTests.configuration(shards: 3, maxSamples: 4),
                                       logger: Logger(label: "test"), directory: scratch.path,
                                       makeClient: { ScriptedClient([.response(status: 204, retryAfterSeconds: nil)]) })
        defer { second.shutdown() }
        // Nothing was acknowledged (the receiver never answered before shutdown): all 16 samples.
        #expect(second.statistics.dropped[.reconfigured] == 16)
        #expect(second.statistics.queueLength == 0)
    }
}
