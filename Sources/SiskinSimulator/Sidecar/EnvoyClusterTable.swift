/// Per-upstream-cluster Envoy stats (`envoy_cluster_*{cluster_name="..."}`).
///
/// Traffic-driven counters are stored; control-plane counters (EDS updates, the scrape and
/// health-check clusters) are derived from uptime at render time, so they need no state and
/// reset with it on restart.
struct EnvoyClusterTable: Sendable {
    enum Kind: Sendable, Hashable {
        /// A mesh Service; `endpoints` is its pod count (membership gauges).
        case outbound(endpoints: Int)
        case inbound
        case infrastructure
    }

    struct Cluster: Sendable {
        let name: String
        let kind: Kind
        /// Escaped cluster name, for building label blocks.
        let escapedName: [UInt8]
        /// `{cluster_name="<name>"} `, ready to print.
        let plainLabels: [UInt8]
        /// Seconds between EDS/CDS updates touching this cluster (varies per cluster).
        let updatePeriod: Double
    }

    let clusters: [Cluster]
    let indexByName: [String: Int]
    /// Stored counters, `[counter.rawValue * clusters.count + cluster]`.
    private(set) var counters: [UInt64]
    /// `upstream_rq_<code>` counters per cluster, sorted by code; present once used.
    private(set) var requestsByCode: [[(code: String, count: UInt64)]]
    /// `upstream_rq_<class>xx` per cluster, `[cluster * 5 + class - 1]`; present once non-zero.
    private(set) var requestsByClass: [UInt64]

    init(clusters descriptors: [(name: String, kind: Kind)]) {
        let sorted = descriptors.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        clusters = sorted.map { descriptor in
            var escaped: [UInt8] = []
            escaped.appendEscapedLabelValue(descriptor.name)
            var plain: [UInt8] = []
            plain.appendStatic("{cluster_name=\"")
            plain.append(contentsOf: escaped)
            plain.appendStatic("\"} ")
            let hash = SplitMix64.mix(descriptor.name.utf8.reduce(0xC1A5_7E25) { ($0 &* 31) &+ UInt64($1) })
            return Cluster(
                name: descriptor.name, kind: descriptor.kind, escapedName: escaped, plainLabels: plain,
                updatePeriod: 240 + Double(hash % 1200))
        }
        indexByName = Dictionary(clusters.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        counters = [UInt64](repeating: 0, count: ClusterCounter.allCases.count * clusters.count)
        requestsByCode = [[(code: String, count: UInt64)]](repeating: [], count: clusters.count)
        requestsByClass = [UInt64](repeating: 0, count: clusters.count * 5)
    }

    /// Accounts `requests` completed through `cluster` with the given response code.
    mutating func recordRequests(
        cluster: Int, requests: UInt64, responseCode: String, responseFlags: String,
        http2: Bool, txBytes: UInt64, rxBytes: UInt64, newConnections: UInt64
    ) {
        add(.upstreamRqTotal, cluster, requests)
        add(.upstreamCxTxBytesTotal, cluster, txBytes)
        add(.upstreamCxRxBytesTotal, cluster, rxBytes)
        add(.upstreamCxTotal, cluster, newConnections)
        add(http2 ? .upstreamCxHttp2Total : .upstreamCxHttp1Total, cluster, newConnections)
        switch responseFlags {
        case "UF":
            add(.upstreamCxConnectFail, cluster, requests)
            return  // never got a response from upstream: no code stats, not completed
        case "URX":
            add(.upstreamRqRetry, cluster, 2 * requests)
            add(.upstreamRqRetryLimitExceeded, cluster, requests)
        case "UT":
            add(.upstreamRqTimeout, cluster, requests)
        default:
            break
        }
        add(.upstreamRqCompleted, cluster, requests)
        if let first = responseCode.utf8.first, (UInt8(ascii: "1")...UInt8(ascii: "5")).contains(first) {
            requestsByClass[cluster * 5 + Int(first - UInt8(ascii: "1"))] &+= requests
        }
        var codes = requestsByCode[cluster]
        if let index = codes.firstIndex(where: { $0.code == responseCode }) {
            codes[index].count &+= requests
        } else {
            codes.append((responseCode, requests))
            codes.sort { $0.code.utf8.lexicographicallyPrecedes($1.code.utf8) }
        }
        requestsByCode[cluster] = codes
    }

    /// Accounts TCP connections through `cluster`.
    mutating func recordConnections(cluster: Int, opened: UInt64, txBytes: UInt64, rxBytes: UInt64) {
        add(.upstreamCxTotal, cluster, opened)
        add(.upstreamCxTxBytesTotal, cluster, txBytes)
        add(.upstreamCxRxBytesTotal, cluster, rxBytes)
    }

    /// Envoy restart: stored counters go to zero and dynamic code stats vanish.
    mutating func restart() {
        for index in counters.indices { counters[index] = 0 }
        for index in requestsByCode.indices { requestsByCode[index] = [] }
        for index in requestsByClass.indices { requestsByClass[index] = 0 }
    }

    private mutating func add(_ counter: ClusterCounter, _ cluster: Int, _ amount: UInt64) {
        counters[counter.rawValue * clusters.count + cluster] &+= amount
    }

    func stored(_ counter: ClusterCounter, _ cluster: Int) -> UInt64 {
        counters[counter.rawValue * clusters.count + cluster]
    }

    /// The value a counter shows after `uptime` seconds: stored traffic plus the
    /// control-plane activity a real sidecar would have accumulated.
    func value(_ counter: ClusterCounter, cluster index: Int, uptime: Double) -> UInt64 {
        let cluster = clusters[index]
        let updates = 1 + UInt64(max(0, uptime) / cluster.updatePeriod)
        let background = backgroundRequests(cluster, uptime: uptime)
        switch counter {
        case .membershipChange:
            return cluster.kind == .infrastructure && cluster.name.hasSuffix("Cluster") ? 0 : 1
        case .updateAttempt, .updateSuccess:
            return updates
        case .updateNoRebuild:
            return updates - 1
        case .upstreamRqTotal, .upstreamRqCompleted, .defaultTotalMatchCount:
            let base = counter == .defaultTotalMatchCount ? stored(.upstreamRqTotal, index) : stored(counter, index)
            return base &+ background.requests
        case .upstreamCxTotal, .upstreamRqPendingTotal:
            return stored(.upstreamCxTotal, index) &+ background.connections
        case .upstreamCxHttp1Total, .upstreamCxHttp2Total:
            // The xDS/SDS streams are gRPC (HTTP/2); scrapes and probes are HTTP/1.1.
            let grpcInfrastructure = cluster.name == "xds-grpc" || cluster.name == "sds-grpc"
            let matches = (counter == .upstreamCxHttp2Total) == grpcInfrastructure
            return stored(counter, index) &+ (matches ? background.connections : 0)
        case .upstreamCxDestroy, .upstreamCxDestroyLocal, .upstreamCxDestroyRemote:
            let total = stored(.upstreamCxTotal, index) &+ background.connections
            let destroyed = total - min(total, activeConnections(cluster: index, uptime: uptime))
            switch counter {
            case .upstreamCxDestroyLocal: return destroyed / 3
            case .upstreamCxDestroyRemote: return destroyed - destroyed / 3
            default: return destroyed
            }
        case .upstreamCxRxBytesTotal:
            return stored(counter, index) &+ background.rxBytes
        case .upstreamCxTxBytesTotal:
            return stored(counter, index) &+ background.txBytes
        default:
            return stored(counter, index)
        }
    }

    /// `upstream_cx_active`: a pooled connection per endpoint once traffic has flowed.
    func activeConnections(cluster index: Int, uptime: Double) -> UInt64 {
        let cluster = clusters[index]
        switch cluster.kind {
        case .outbound(let endpoints):
            return min(stored(.upstreamCxTotal, index), UInt64(endpoints))
        case .inbound:
            return min(stored(.upstreamCxTotal, index), 4)
        case .infrastructure:
            return cluster.name == "xds-grpc" || cluster.name == "sds-grpc" ? 1 : 0
        }
    }

    /// Members shown by `membership_total`/`membership_healthy`.
    func members(cluster index: Int) -> UInt64 {
        switch clusters[index].kind {
        case .outbound(let endpoints): return UInt64(endpoints)
        case .inbound: return 1
        case .infrastructure: return clusters[index].name.hasSuffix("Cluster") ? 0 : 1
        }
    }

    /// Traffic on infrastructure clusters as a function of uptime: one long-lived xDS
    /// stream (recycled every 30 min), one scrape every 15 s, one health probe every 10 s.
    private func backgroundRequests(_ cluster: Cluster, uptime: Double) -> (requests: UInt64, connections: UInt64, rxBytes: UInt64, txBytes: UInt64) {
        let t = max(0, uptime)
        switch cluster.name {
        case "xds-grpc":
            let streams = 1 + UInt64(t / 1800)
            return (streams, streams, 180_000 &+ UInt64(t * 420), 9_000 &+ UInt64(t * 35))
        case "sds-grpc":
            return (2, 1, 6_400 &+ UInt64(t / 43_200) * 6_400, 1_200)
        case "prometheus_stats":
            let scrapes = UInt64(t / 15)
            return (scrapes, scrapes > 0 ? 1 : 0, scrapes &* 48_000, scrapes &* 160)
        case "agent":
            let probes = UInt64(t / 10)
            return (probes, probes, probes &* 120, probes &* 140)
        default:
            return (0, 0, 0, 0)
        }
    }
}
