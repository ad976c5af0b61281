import SiskinAggregation
import SiskinIngest
import SiskinStore

/// What the aggregator has seen: namespaces, workloads, revisions and pods,
/// with each pod's agent freshness, so stale agents stand out.
public struct Inventory: Sendable, Equatable, Codable {
    public struct Pod: Sendable, Equatable, Codable {
        public var namespace: String
        public var pod: String
        public var workload: String
        public var revision: String
        public var agentInstance: String
        public var agentVersion: String?
        public var sequence: UInt64
        /// Seconds since the last accepted push (aggregator clock).
        public var lastPushAgeSeconds: Double
        /// Typical seconds between pushes.
        public var pushIntervalSeconds: Double
        /// Pushed within three intervals (at least 15 s).
        public var fresh: Bool
        public var series: Int
        public var labels: [String: String]
    }

    public struct Workload: Sendable, Equatable, Codable {
        public var namespace: String
        public var workload: String
        public var revisions: [String]
        public var pods: Int
        public var freshPods: Int
        /// Pods whose agent has not pushed within three intervals.
        public var stalePods: [String]
        /// The oldest last push among the workload's pods, seconds ago.
        public var oldestPushAgeSeconds: Double
    }

    public var workloads: [Workload]
    public var pods: [Pod]

    /// Builds the inventory from the store at `now` (ms).
    public init(store: borrowing WindowedStore, now: Int64) {
        var pods: [Pod] = []
        for record in store.livePods {
            let stream = record.stream
            let identity = Self.identity(of: record, store: store)
            let age = Double(now - record.lastReceived) / 1000
            let interval = Double(record.intervalMilliseconds) / 1000
            pods.append(Pod(
                namespace: stream.pod.namespace, pod: stream.pod.pod, workload: identity.workload,
                revision: identity.revision, agentInstance: stream.agentInstance,
                agentVersion: stream.metadata.first(where: { $0.name == "agent_version" })?.value,
                sequence: stream.sequence, lastPushAgeSeconds: age, pushIntervalSeconds: interval,
                fresh: age <= max(3 * interval, 15), series: stream.seriesCount,
                labels: Dictionary(stream.podLabels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })))
        }
        pods.sort { ($0.namespace, $0.pod) < ($1.namespace, $1.pod) }
        var grouped: [String: Workload] = [:]
        for p in pods {
            let k = p.namespace + "/" + p.workload
            var w = grouped[k] ?? Workload(namespace: p.namespace, workload: p.workload, revisions: [], pods: 0, freshPods: 0,
                                           stalePods: [], oldestPushAgeSeconds: 0)
            if !w.revisions.contains(p.revision) { w.revisions.append(p.revision) }
            w.pods += 1
            if p.fresh { w.freshPods += 1 } else { w.stalePods.append(p.pod) }
            w.oldestPushAgeSeconds = max(w.oldestPushAgeSeconds, p.lastPushAgeSeconds)
            grouped[k] = w
        }
        self.pods = pods
        self.workloads = grouped.values.map { var w = $0; w.revisions.sort(); return w }
            .sorted { ($0.namespace, $0.workload) < ($1.namespace, $1.workload) }
    }

    /// A pod's workload and revision: from its inbound (`reporter=destination`)
    /// series when it has served requests, otherwise from its labels and name.
    static func identity(of record: PodRecord, store: borrowing WindowedStore) -> (workload: String, revision: String) {
        let stream = record.stream
        let ids = store.select(.pod, name: WorkloadQuerier.requestsMetric, matching: [
            .equal(WindowedStore.podLabel, stream.pod.pod), .equal("reporter", "destination"),
            .equal("destination_workload_namespace", stream.pod.namespace),
        ])
        if let id = ids.first {
            let key = store.stored(.pod, id).key
            if let w = key.value(of: "destination_workload"), !w.isEmpty {
                return (w, key.value(of: "destination_canonical_revision") ?? "latest")
            }
        }
        let labels = stream.podLabels
        func label(_ n: String) -> String? { labels.first(where: { $0.name == n })?.value }
        let revision = label("service.istio.io/canonical-revision") ?? label("app.kubernetes.io/version")
            ?? label("version") ?? "latest"
        return (Self.deploymentName(ofPod: stream.pod.pod), revision)
    }

    /// `podinfo-primary-7d9c8b6f5d-x2x9k` → `podinfo-primary`: a Deployment's
    /// pods are named `<deployment>-<replicaset hash>-<5 chars>`.
    static func deploymentName(ofPod pod: String) -> String {
        let parts = pod.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[parts.count - 1].count == 5, (6...10).contains(parts[parts.count - 2].count)
        else { return pod }
        return parts.dropLast(2).joined(separator: "-")
    }
}
