import Prometheus
import SiskinExport
import SiskinStore
import SiskinSync
import Synchronization

/// Siskin's own metrics, served on `/metrics` in Prometheus format: what an
/// operator alerts on (rejected pushes, stale agents, memory, ingest latency).
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let accepted: Counter
    private let duplicates: Counter
    private let ingestSeconds: DurationHistogram
    private let pods: Gauge
    private let freshPods: Gauge
    private let podSeries: Gauge
    private let rollupSeries: Gauge
    private let storeBytes: Gauge
    private let ingestBytes: Counter
    /// Remote-write counts already added to the counters, by metric and endpoint.
    fileprivate let exported = Mutex<[String: Int]>([:])

    public init() {
        accepted = registry.makeCounter(descriptor: Self.describe("siskin_pushes_accepted_total", "Pushes applied to the store."))
        duplicates = registry.makeCounter(descriptor: Self.describe("siskin_pushes_ignored_total", "Pushes already applied or older than the last applied (retries)."))
        ingestSeconds = registry.makeDurationHistogram(
            descriptor: Self.describe("siskin_ingest_duration_seconds", "Time to check, decode and apply one push."),
            buckets: [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
                      .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100)])
        pods = registry.makeGauge(descriptor: Self.describe("siskin_pods", "Pods with live state."))
        freshPods = registry.makeGauge(descriptor: Self.describe("siskin_pods_fresh", "Pods whose agent pushed within three intervals."))
        podSeries = registry.makeGauge(descriptor: Self.describe("siskin_series", "Stored series."), labels: [("level", "pod")])
        rollupSeries = registry.makeGauge(descriptor: Self.describe("siskin_series", "Stored series."), labels: [("level", "rollup")])
        storeBytes = registry.makeGauge(descriptor: Self.describe("siskin_store_ring_bytes", "Bytes held by the series rings."))
        ingestBytes = registry.makeCounter(descriptor: Self.describe("siskin_ingest_bytes_total", "Body bytes of pushes received."))
    }

    public func recordAccepted(seconds: Double, bytes: Int) {
        accepted.increment()
        ingestBytes.increment(by: Int64(bytes))
        ingestSeconds.recordNanoseconds(Int64(seconds * 1e9))
    }

    public func recordIgnored(bytes: Int) {
        duplicates.increment()
        ingestBytes.increment(by: Int64(bytes))
    }

    /// Counts a rejected push by reason (`unauthorized`, `too_large`,
    /// `undecodable`, `unsupported_media_type`, `too_many_series`, `read_token`,
    /// `namespace_forbidden`...).
    public func recordRejected(reason: String) {
        registry.makeCounter(descriptor: Self.describe("siskin_pushes_rejected_total", "Pushes refused, by reason."), labels: [("reason", reason)]).increment()
    }

    /// Counts a read request refused for its credentials (`unauthorized`:
    /// none or unknown; `push_token`: a push token presented to read).
    public func recordReadRejected(reason: String) {
        registry.makeCounter(descriptor: Self.describe("siskin_reads_rejected_total", "Read requests refused for their credentials, by reason."),
                             labels: [("reason", reason)]).increment()
    }

    /// Refreshes the store gauges; called when `/metrics` is scraped.
    public func observe(_ store: borrowing WindowedStore, now: Int64) {
        let live = store.livePods
        pods.set(Double(live.count))
        freshPods.set(Double(live.filter { now - $0.lastReceived <= max(3 * $0.intervalMilliseconds, 15_000) }.count))
        podSeries.set(Double(store.seriesCount))
        rollupSeries.set(Double(store.rollupCount))
        storeBytes.set(Double(store.ringBytes))
        registry.makeGauge(descriptor: Self.describe(
            "siskin_prometheus_series", "Series Prometheus would hold for the same data (histogram buckets, sum and count each count)."),
            labels: [("level", "pod")]).set(Double(store.prometheusSeriesCount(.pod)))
        registry.makeGauge(descriptor: Self.describe(
            "siskin_prometheus_series", "Series Prometheus would hold for the same data (histogram buckets, sum and count each count)."),
            labels: [("level", "rollup")]).set(Double(store.prometheusSeriesCount(.rollup)))
        advance("siskin_series_refused_total", "New series refused because their pod already held --max-series-per-pod series.",
                labels: [], key: "series_refused", to: store.seriesRefused)
    }

    /// Persistence health and volume, for alerting on a full disk.
    public func observePersistence(_ status: PersistenceStatus) {
        registry.makeGauge(descriptor: Self.describe("siskin_persistence_healthy", "1 when every applied push is in the log (or persistence is disabled), 0 when degraded."))
            .set(to: status.isHealthy ? 1.0 : 0.0)
        registry.makeGauge(descriptor: Self.describe("siskin_persistence_log_bytes", "Bytes in push-log segments on disk."))
            .set(Double(status.logBytes))
        registry.makeGauge(descriptor: Self.describe("siskin_persistence_records_dropped", "Applied pushes not logged because writing failed."))
            .set(Double(status.recordsDropped))
        registry.makeGauge(descriptor: Self.describe("siskin_persistence_snapshots_written", "Snapshots written since start-up."))
            .set(Double(status.snapshotsWritten))
        if let last = status.lastSnapshotMilliseconds {
            registry.makeGauge(descriptor: Self.describe("siskin_persistence_last_snapshot_timestamp_seconds", "When the newest good snapshot was taken.")).set(Double(last) / 1000)
        }
    }

    /// A metric name with its help text, as swift-prometheus wants them.
    static func describe(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

extension ServerMetrics {
    /// Remote write, per endpoint (`remote` is the URL without credentials).
    /// Counters advance by what the senders did since the last scrape.
    public func observe(_ exporter: RemoteWriteExporter, now: Int64) {
        let collection = exporter.collection
        advance("siskin_remote_write_samples_collected_total", "Samples collected from completed slots for remote write.",
                labels: [], key: "collected", to: collection.samples)
        registry.makeGauge(descriptor: Self.describe("siskin_remote_write_series", "Series with a running cumulative total for remote write."))
            .set(Double(collection.series))
        if let through = collection.through {
            registry.makeGauge(descriptor: Self.describe("siskin_remote_write_collected_through_timestamp_seconds", "End of the last slot collected for remote write."))
                .set(Double(through) / 1000)
        }
        for stats in exporter.statistics {
            let labels = [("remote", stats.url)]
            advance("siskin_remote_write_samples_sent_total", "Samples the receiver accepted.", labels: labels, key: stats.url + "/sent", to: stats.samplesSent)
            advance("siskin_remote_write_samples_failed_total", "Samples the receiver refused (4xx other than 429: not retried), or still failing at shutdown.",
                    labels: labels, key: stats.url + "/failed", to: stats.samplesFailed)
            for reason in DropReason.allCases {
                advance("siskin_remote_write_samples_dropped_total",
                        "Samples dropped before the receiver saw them: queue_full (memory queue), disk_limit (queue on disk), reconfigured (queued under another shard count).",
                        labels: labels + [("reason", reason.rawValue)], key: stats.url + "/dropped/" + reason.rawValue, to: stats.dropped[reason] ?? 0)
            }
            advance("siskin_remote_write_samples_retried_total", "Samples sent again after a 5xx, 429 or transport failure.", labels: labels, key: stats.url + "/retried", to: stats.samplesRetried)
            advance("siskin_remote_write_requests_total", "Requests the receiver accepted.", labels: labels, key: stats.url + "/requests", to: stats.requestsSent)
            advance("siskin_remote_write_sent_bytes_total", "Compressed request bytes the receiver accepted.", labels: labels, key: stats.url + "/bytes", to: stats.bytesSent)
            registry.makeGauge(descriptor: Self.describe("siskin_remote_write_queue_samples", "Samples waiting to be sent."), labels: labels)
                .set(Double(stats.queueLength))
            registry.makeGauge(descriptor: Self.describe("siskin_remote_write_queue_bytes", "Bytes queued: segment files on disk plus encoded batches in memory."), labels: labels)
                .set(Double(stats.queueBytes))
            advance("siskin_remote_write_queue_corrupt_bytes_total", "Bytes of queue segments skipped as torn or damaged (read back after a crash).",
                    labels: labels, key: stats.url + "/corrupt", to: Int(stats.queueCorruptBytes))
            advance("siskin_remote_write_queue_disk_errors_total", "Batches the disk refused (full disk, I/O error), queued in memory instead.",
                    labels: labels, key: stats.url + "/disk-errors", to: stats.queueDiskErrors)
            if let lag = stats.lagSeconds(now: now) {
                registry.makeGauge(descriptor: Self.describe("siskin_remote_write_lag_seconds", "Seconds between now and the newest sample the receiver accepted."), labels: labels)
                    .set(lag)
            }
        }
    }

    /// Moves a counter up to `value` (the exporter keeps absolute counts).
    private func advance(_ name: String, _ help: String, labels: [(String, String)], key: String, to value: Int) {
        let delta = exported.locked { seen -> Int in
            let last = seen[key] ?? 0
            seen[key] = max(last, value)
            return max(0, value - last)
        }
        let counter = registry.makeCounter(descriptor: Self.describe(name, help), labels: labels)
        if delta > 0 { counter.increment(by: Int64(delta)) }
    }
}
