import SiskinAggregation
import SiskinIngest
import SiskinStore

/// A push time: 2023-11-14T22:13:20Z, on a 5 s slot boundary.
let t0: Int64 = 1_700_000_000_000

extension WindowedStore {
    /// Ingests a push as received the moment it was made.
    @discardableResult
    mutating func push(_ summary: PodSummary) -> IngestOutcome {
        ingest(summary, now: summary.timestampMilliseconds)
    }

    /// The id of the live series at `level` whose key is exactly `key`.
    func id(_ level: SeriesLevel, _ key: SeriesKey) -> Int? {
        select(level, name: key.name, matching: key.labels.map { .equal($0.name, $0.value) })
            .first { stored(level, $0).key == key }
    }

    /// Window total of the series with `key`; nil when there is no such series.
    func total(_ level: SeriesLevel, _ key: SeriesKey, from: Int64, to: Int64) -> [Double]? {
        id(level, key).map { total(level, $0, from: from, to: to) }
    }
}

/// Equal within a relative tolerance (absolute near zero), for values that
/// went through fractional spreading.
func close(_ a: Double, _ b: Double, tolerance: Double = 1e-9) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(a), abs(b))
}

func close(_ a: [Double]?, _ b: [Double], tolerance: Double = 1e-9) -> Bool {
    guard let a, a.count == b.count else { return false }
    return zip(a, b).allSatisfy { close($0, $1, tolerance: tolerance) }
}

extension StoreConfiguration {
    /// Rollups at the pod-level 5 s resolution, so tests can check rollup
    /// sums slot by slot (the default rollup slot is 30 s).
    static let fineRollups = StoreConfiguration(rollupSlotMilliseconds: 5_000)
}
