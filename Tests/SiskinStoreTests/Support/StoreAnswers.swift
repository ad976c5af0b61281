import SiskinIngest
import SiskinStore
import Testing

/// Everything a query can ask a store, bit for bit: a restarted database
/// must give the same answers as one that never stopped.
struct StoreAnswers: Equatable, CustomStringConvertible {
    /// Per live pod: identity, stream position and freshness inputs.
    var pods: [String] = []
    /// Per series id and level: key and window totals as bit patterns.
    var series: [String] = []
    /// Ids returned by a few selections.
    var selections: [[Int]] = []
    var dataSince: Int64 = 0
    var watermark: Int64 = 0
    var coverage: [String] = []

    init(_ database: Database, now: Int64) {
        database.read { store in
            for pod in store.livePods.sorted(by: { $0.key < $1.key }) {
                let s = pod.stream
                pods.append("\(pod.key) \(s.agentInstance)#\(s.sequence) at \(s.timestampMilliseconds) since "
                            + "\(s.sinceMilliseconds) pushes \(s.pushes) series \(s.seriesCount) received "
                            + "\(pod.lastReceived) every \(pod.intervalMilliseconds)")
            }
            let windows: [(Int64, Int64)] = [
                (now - 60_000, now), (now - 300_000, now), (now - 3_600_000, now), (now - 397_123, now - 61_777),
            ]
            for level in [SeriesLevel.pod, .rollup] {
                for id in store.select(level, name: nil, matching: []) {
                    let stored = store.stored(level, id)
                    var line = "\(level) \(id) \(stored.key) \(stored.kind) owner \(stored.owner) last \(stored.lastWrite)"
                    for (from, to) in windows {
                        line += " " + store.total(level, id, from: from, to: to).map { String($0.bitPattern, radix: 16) }
                            .joined(separator: ",")
                    }
                    if level == .pod, stored.kind == .gauge {
                        line += " gauge \(store.latestGauge(id, at: now).map { String($0.bitPattern, radix: 16) } ?? "-")"
                    }
                    series.append(line)
                }
            }
            selections = [
                store.select(.pod, name: "istio_requests_total", matching: [.equal("response_code", "200")]),
                store.select(.rollup, name: nil, matching: [LabelMatcher("destination_workload", .notEqual, "reviews")]),
                store.select(.rollup, name: "istio_request_duration_milliseconds", matching: []),
                store.select(.pod, name: nil, matching: [.equal("pod", "ratings-v1-ccc")]),
            ]
            dataSince = store.dataSince
            watermark = store.watermark(now: now)
            // The store reads packed copies of the pods' clocks: they must
            // agree with the records themselves after every kind of change.
            var latest = Int64.min, mark = Int64.max
            for pod in store.livePods {
                latest = max(latest, pod.stream.timestampMilliseconds)
                if now - pod.lastReceived <= max(3 * pod.intervalMilliseconds, 15_000) {
                    mark = min(mark, pod.stream.timestampMilliseconds)
                }
            }
            if store.latestData != latest {
                Issue.record("latestData \(store.latestData) != \(latest) from the pod records")
            }
            let expected = mark == .max ? latest : max(mark, watermark)
            if watermark != expected || (mark != .max && watermark < mark) {
                Issue.record("watermark \(watermark) disagrees with the pod records (oldest fresh push \(mark), newest \(latest))")
            }
            for level in [SeriesLevel.pod, .rollup] {
                let range = store.coveredRange(from: now - 3_600_000, to: now, level: level, now: now)
                coverage.append(range.map { "\($0.from)...\($0.to)" } ?? "none")
            }
        }
    }

    var isEmpty: Bool { pods.isEmpty && series.isEmpty }

    var description: String {
        "\(pods.count) pods, \(series.count) series, selections \(selections.map(\.count)), since \(dataSince)"
    }
}
