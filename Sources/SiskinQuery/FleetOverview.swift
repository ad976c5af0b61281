import SiskinStore

/// Every workload the aggregator knows with how it is doing: the inventory's
/// pods and agent freshness, the `WorkloadQuerier` answer over a window, and
/// a `WorkloadTrend`. What the fleet page shows in one request.
public struct FleetOverview: Sendable, Equatable, Codable {
    public struct Workload: Sendable, Equatable, Codable {
        /// Revisions, pods, fresh and stale agents, as `/api/v1/siskin/workloads` has them.
        public var inventory: Inventory.Workload
        public var report: WorkloadReport
        public var trend: WorkloadTrend
    }

    /// Window end, Unix seconds.
    public var time: Double
    public var windowSeconds: Double
    public var workloads: [Workload]
    /// Workloads left out past `limit` (they are in `/api/v1/siskin/workloads`).
    public var omitted: Int

    /// The most workloads one overview computes: each costs a report and a
    /// trend of `points` windows, so a fleet of thousands would hold the
    /// store for seconds per page refresh.
    public static let defaultLimit = 100

    /// Reads `database` once per workload, not once for the whole fleet, so
    /// pushes are applied between workloads while a page refreshes.
    public init(windowMilliseconds: Int64, at: Int64, stepMilliseconds: Int64, points: Int, namespace: String? = nil,
                limit: Int = FleetOverview.defaultLimit, database: Database, now: Int64) {
        let all = database.read { Inventory(store: $0, now: now) }.workloads
            .filter { namespace == nil || $0.namespace == namespace }
        time = Double(at) / 1000
        windowSeconds = Double(windowMilliseconds) / 1000
        omitted = max(0, all.count - limit)
        workloads = all.prefix(limit).map { w in
            let query = WorkloadQuery(namespace: w.namespace, workload: w.workload,
                                      windowMilliseconds: windowMilliseconds, at: at)
            return database.read { store in
                Workload(inventory: w, report: WorkloadQuerier().answer(query, store: store, now: now),
                         trend: WorkloadTrend(query, stepMilliseconds: stepMilliseconds, points: points, store: store, now: now))
            }
        }
    }
}
