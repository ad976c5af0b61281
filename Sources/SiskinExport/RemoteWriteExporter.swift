import Logging
import SiskinStore
import Synchronization

/// Remote write for `siskin serve`: collects completed slots from the
/// database as cumulative series (`CumulativeCollector`) and hands them to
/// one sender per endpoint. The server calls `tick` every
/// `collectIntervalSeconds` and `shutdown` when it stops.
public final class RemoteWriteExporter: Sendable {
    public let configuration: RemoteWriteConfiguration
    public let senders: [RemoteWriteSender]
    private let collector: Mutex<CumulativeCollector>
    private let collected: Mutex<(samples: Int, through: Int64?, series: Int)>

    public init(
        configuration: RemoteWriteConfiguration, logger: Logger,
        makeClient: @escaping @Sendable () -> any RemoteWriteClient = { CurlRemoteWriteClient() }
    ) {
        self.configuration = configuration
        senders = configuration.endpoints.map {
            RemoteWriteSender(endpoint: $0, configuration: configuration, logger: logger, makeClient: makeClient)
        }
        collector = Mutex(CumulativeCollector(
            selection: configuration.selection, externalLabels: configuration.externalLabels,
            intervalMilliseconds: Int64(configuration.intervalSeconds * 1000)))
        collected = Mutex((0, nil, 0))
    }

    /// Collects what completed since the last tick and queues it for every
    /// endpoint. Returns the samples collected.
    @discardableResult
    public func tick(database: Database, now: Int64) -> Int {
        let (batch, through, tracked) = collector.withLock { collector in
            database.read { store in
                (collector.collect(store, now: now), collector.exportedThrough(store), collector.trackedSeries)
            }
        }
        // Labels are built outside the store's lock.
        let series = CumulativeCollector.series(batch)
        let samples = series.reduce(0) { $0 + $1.samples.count }
        collected.withLock { $0 = ($0.samples + samples, through ?? $0.through, tracked) }
        for sender in senders { sender.enqueue(series) }
        return samples
    }

    /// Samples collected since start-up, the end of the last slot collected
    /// (ms), and the series with a running total.
    public var collection: (samples: Int, through: Int64?, series: Int) { collected.withLock { $0 } }

    public var statistics: [RemoteWriteStats] { senders.map(\.statistics) }

    /// Stops the senders after they sent what they hold (bounded by `grace`).
    public func shutdown(grace: Double = 5) {
        for sender in senders { sender.shutdown(grace: grace) }
    }
}
