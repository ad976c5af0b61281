import SiskinStore

/// A workload's recent history as `points` consecutive windows of `step`
/// each, the last ending at the newest slot boundary the store vouches for
/// (or at `query.at` when that is earlier). Every point is a
/// `WorkloadQuerier` answer over its own window, so a trend point and
/// `/api/v1/siskin/workload` with the same window and time agree exactly.
public struct WorkloadTrend: Sendable, Equatable, Codable {
    public struct Point: Sendable, Equatable, Codable {
        /// End of the point's window, Unix seconds.
        public var time: Double
        public var requestRate: Double
        public var successRate: Double?
        public var p50: Double?
        public var p90: Double?
        public var p99: Double?
    }

    public var stepSeconds: Double
    /// Oldest first; windows without data are left out.
    public var points: [Point]

    /// Longest history asked for in one call.
    public static let maxPoints = 120

    public init(_ query: WorkloadQuery, stepMilliseconds step: Int64, points count: Int,
                store: borrowing WindowedStore, now: Int64) {
        stepSeconds = Double(step) / 1000
        points = []
        guard step > 0, count > 0 else { return }
        // Align to the step so that successive polls ask for the same windows.
        let end = (min(query.at, store.watermark(now: now)) / step) * step
        let querier = WorkloadQuerier()
        for i in stride(from: min(count, Self.maxPoints) - 1, through: 0, by: -1) {
            var q = query
            q.windowMilliseconds = step
            q.at = end - Int64(i) * step
            let report = querier.answer(q, store: store, now: now)
            guard report.coveredTo != nil else { continue }
            points.append(Point(time: Double(q.at) / 1000, requestRate: report.requestRate,
                                successRate: report.successRate, p50: report.latencyMilliseconds?.p50,
                                p90: report.latencyMilliseconds?.p90, p99: report.latencyMilliseconds?.p99))
        }
    }
}
