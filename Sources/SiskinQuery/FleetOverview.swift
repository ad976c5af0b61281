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

    public init(windowMilliseconds: Int64, at: Int64, stepMilliseconds: Int64, points: Int,
                store: borrowing WindowedStore, now: Int64) {
        let inventory = Inventory(store: store, now: now)
        time = Double(at) / 1000
        windowSeconds = Double(windowMilliseconds) / 1000
        var workloads: [Workload] = []
        for w in inventory.workloads {
            let query = WorkloadQuery(namespace: w.namespace, workload: w.workload,
                                      windowMilliseconds: windowMilliseconds, at: at)
            workloads.append(Workload(
                inventory: w, report: WorkloadQuerier().answer(query, store: store, now: now),
                trend: WorkloadTrend(query, stepMilliseconds: stepMilliseconds, points: points, store: store, now: now)))
        }
        self.workloads = workloads
    }
}
