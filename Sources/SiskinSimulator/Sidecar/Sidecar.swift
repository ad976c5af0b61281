/// One pod's Envoy sidecar: the cumulative stats it would serve on
/// `:15090/stats/prometheus`.
///
/// A sidecar keeps, per Istio label set, the counts since its last (re)start (what a
/// scrape shows) and the counts since creation (ground truth that survives restarts).
/// It does not invent traffic by itself: a request is seen by two proxies, so `Fleet`
/// generates traffic for pod pairs and records it into both ends. Tests that want exact,
/// hand-picked observations can call `recordRequests` directly.
public struct Sidecar: Sendable {
    /// The pod this proxy runs in.
    public let pod: Pod
    /// What this proxy prints (enabled metrics, clusters).
    public let options: SidecarOptions
    /// Seconds since the proxy last (re)started; printed as `envoy_server_uptime`.
    public private(set) var uptime: Double = 0
    /// Seconds since the sidecar was created, across restarts.
    public private(set) var age: Double = 0
    /// Number of `restart()` calls so far.
    public private(set) var restartCount = 0

    let workload: Workload
    var http = IstioSeriesTable<HTTPCounts>()
    var tcp = IstioSeriesTable<TCPCounts>()
    var clusters: EnvoyClusterTable
    var connectionManagers: ConnectionManagerTable
    var initializationTime = HistogramCounts()
    var rng: Xoshiro256StarStar
    /// Slow random walk applied to the memory gauges so they look alive.
    var memoryJitter = 0.0
    let istioBuildLine: [UInt8]

    /// Creates the sidecar of `pod` in `topology`, with clusters and listeners as Istio
    /// would configure them. `seed` drives only this proxy's own noise (memory gauges,
    /// initialization time); traffic randomness lives in `Fleet`.
    public init(pod: Pod, topology: MeshTopology, options: SidecarOptions = SidecarOptions(), seed: UInt64) {
        guard let workload = topology.workload(named: pod.workloadName) else {
            preconditionFailure("pod \(pod.name) belongs to no workload of the topology")
        }
        self.pod = pod
        self.options = options
        self.workload = workload
        self.rng = Xoshiro256StarStar(seed: seed)

        var descriptors: [(name: String, kind: EnvoyClusterTable.Kind)] = options.infrastructureClusters.map {
            ($0, .infrastructure)
        }
        if let service = workload.service {
            descriptors.append((service.inboundClusterName, .inbound))
        }
        let calledWorkloads = Set(
            topology.edges.filter { $0.source == workload.name }.map(\.destination)
                + topology.tcpEdges.filter { $0.source == workload.name }.map(\.destination))
        var seenClusters = Set(descriptors.map(\.name))
        for target in topology.workloads {
            guard let service = target.service,
                options.outboundClustersForAllServices || calledWorkloads.contains(target.name),
                seenClusters.insert(service.outboundClusterName).inserted
            else { continue }
            descriptors.append((service.outboundClusterName, .outbound(endpoints: target.podCount)))
        }
        clusters = EnvoyClusterTable(clusters: descriptors)

        var prefixes = ["admin"]
        if let service = workload.service, topology.edges.contains(where: { $0.destination == workload.name }) {
            prefixes.append("inbound_0.0.0.0_\(service.port)")
        }
        for edge in topology.edges where edge.source == workload.name {
            if let port = topology.workload(named: edge.destination)?.service?.port {
                prefixes.append("outbound_0.0.0.0_\(port)")
            }
        }
        connectionManagers = ConnectionManagerTable(prefixes: prefixes)

        var build: [UInt8] = []
        build.appendStatic("{component=\"proxy\",tag=\"")
        build.appendEscapedLabelValue(options.istioVersion)
        build.appendStatic("\"} 1\n")
        istioBuildLine = build
        recordInitialization()
    }

    // MARK: Time and restarts

    /// Moves the proxy's clock forward (uptime, control-plane counters, memory gauges).
    /// `Fleet.advance(by:)` calls this for every sidecar before recording the interval's
    /// traffic.
    public mutating func advanceClock(by seconds: Double) {
        precondition(seconds >= 0, "time only moves forward")
        uptime += seconds
        age += seconds
        memoryJitter = max(-0.05, min(0.05, memoryJitter * 0.9 + 0.01 * rng.nextGaussian()))
    }

    /// Models an Envoy restart (crash, OOM kill, hot restart of the container): every
    /// counter and histogram goes back to zero, Istio series vanish until traffic uses them
    /// again, uptime starts over and a new initialization time is recorded. Ground truth
    /// (`scope: .sinceCreation`) is untouched.
    public mutating func restart() {
        http.restart(zero: HTTPCounts())
        tcp.restart(zero: TCPCounts())
        clusters.restart()
        connectionManagers.restart()
        uptime = 0
        restartCount += 1
        recordInitialization()
    }

    private mutating func recordInitialization() {
        initializationTime = HistogramCounts()
        let milliseconds = LogNormalDistribution(median: 160, p99: 900).sample(using: &rng).rounded()
        initializationTime.observe(hundredths: UInt64(max(1, milliseconds)) * 100)
    }

    // MARK: Recording traffic

    /// Records requests with exact, caller-chosen observations: one request per entry of
    /// `durationsMs`. Byte arrays must be empty (recorded as 0 bytes) or have the same
    /// length. Values are rounded to 0.01 ms and to whole bytes, as the sidecar stores them.
    /// `upstreamCluster`, if it names one of this proxy's clusters, also gets the traffic
    /// in its `envoy_cluster_*` stats.
    public mutating func recordRequests(
        _ labels: IstioRequestLabels,
        durationsMs: [Double],
        requestSizes: [Double] = [],
        responseSizes: [Double] = [],
        upstreamCluster: String? = nil
    ) {
        precondition(requestSizes.isEmpty || requestSizes.count == durationsMs.count)
        precondition(responseSizes.isEmpty || responseSizes.count == durationsMs.count)
        var counts = HTTPCounts()
        counts.requests = UInt64(durationsMs.count)
        for (index, duration) in durationsMs.enumerated() {
            counts.duration.observe(hundredths: HistogramSampler.hundredths(duration, quantum: 1))
            let request = requestSizes.isEmpty ? 0 : requestSizes[index]
            let response = responseSizes.isEmpty ? 0 : responseSizes[index]
            counts.requestBytes.observe(hundredths: HistogramSampler.hundredths(request, quantum: 100))
            counts.responseBytes.observe(hundredths: HistogramSampler.hundredths(response, quantum: 100))
        }
        var route = EnvoyRoute.none
        route.cluster = upstreamCluster.flatMap { clusters.indexByName[$0] }
        route.http2 = labels.requestProtocol == "grpc"
        record(counts, into: httpSlot(for: labels), route: route)
    }

    /// Records TCP activity for `labels` (its `response_code`/`grpc_response_status` are
    /// ignored, as TCP series do not carry them).
    public mutating func recordConnections(_ labels: IstioRequestLabels, _ counts: TCPCounts, upstreamCluster: String? = nil) {
        var route = EnvoyRoute.none
        route.cluster = upstreamCluster.flatMap { clusters.indexByName[$0] }
        record(counts, into: tcpSlot(for: labels), route: route)
    }

    /// Index of the HTTP series for `labels`, created (not yet live) if new. Fleets cache
    /// these so the hot path does not hash 25 strings per batch.
    mutating func httpSlot(for labels: IstioRequestLabels) -> Int {
        http.slot(for: labels, zero: HTTPCounts()) { openLabelBlock($0.httpPairs) }
    }

    mutating func tcpSlot(for labels: IstioRequestLabels) -> Int {
        var tcpLabels = labels
        tcpLabels.responseCode = ""
        tcpLabels.grpcResponseStatus = ""
        return tcp.slot(for: tcpLabels, zero: TCPCounts()) { openLabelBlock($0.tcpPairs) }
    }

    mutating func record(_ counts: HTTPCounts, into slot: Int, route: EnvoyRoute) {
        guard counts.requests > 0 else { return }
        http.record(slot: slot) { $0.add(counts) }
        let labels = http.entries[slot].labels
        if let cluster = route.cluster {
            let before = clusters.stored(.upstreamRqTotal, cluster)
            clusters.recordRequests(
                cluster: cluster, requests: counts.requests, responseCode: labels.responseCode,
                responseFlags: labels.responseFlags, http2: route.http2,
                txBytes: counts.requestBytes.sumHundredths / 100,
                rxBytes: counts.responseBytes.sumHundredths / 100,
                newConnections: (before + counts.requests + 249) / 250 - (before + 249) / 250)
        }
        if let manager = route.connectionManager {
            connectionManagers.record(manager: manager, requests: counts.requests, responseCode: labels.responseCode)
        }
    }

    mutating func record(_ counts: TCPCounts, into slot: Int, route: EnvoyRoute) {
        guard !counts.isZero else { return }
        tcp.record(slot: slot) { $0.add(counts) }
        if let cluster = route.cluster {
            clusters.recordConnections(
                cluster: cluster, opened: counts.connectionsOpened, txBytes: counts.receivedBytes,
                rxBytes: counts.sentBytes)
        }
    }

    /// The route for traffic this proxy sends to `service` (reporter="source").
    func outboundRoute(to service: ServicePort, requestProtocol: RequestProtocol?) -> EnvoyRoute {
        EnvoyRoute(
            cluster: clusters.indexByName[service.outboundClusterName],
            connectionManager: requestProtocol == nil ? nil : connectionManagers.indexByPrefix["outbound_0.0.0.0_\(service.port)"],
            http2: requestProtocol == .grpc)
    }

    /// The route for traffic this proxy receives on `service` (reporter="destination").
    func inboundRoute(for service: ServicePort, requestProtocol: RequestProtocol?) -> EnvoyRoute {
        EnvoyRoute(
            cluster: clusters.indexByName[service.inboundClusterName],
            connectionManager: requestProtocol == nil ? nil : connectionManagers.indexByPrefix["inbound_0.0.0.0_\(service.port)"],
            http2: requestProtocol == .grpc)
    }

    // MARK: Introspection

    /// Istio series currently printed (HTTP label sets plus TCP label sets).
    public var liveIstioSeriesCount: Int { http.liveCount + tcp.liveCount }

    /// Label sets of the HTTP series, in print order; `liveOnly` restricts to those the
    /// current scrape shows.
    public func httpLabelSets(liveOnly: Bool = true) -> [IstioRequestLabels] {
        http.order.compactMap { liveOnly && !http.entries[$0].live ? nil : http.entries[$0].labels }
    }

    /// Label sets of the TCP series, in print order.
    public func tcpLabelSets(liveOnly: Bool = true) -> [IstioRequestLabels] {
        tcp.order.compactMap { liveOnly && !tcp.entries[$0].live ? nil : tcp.entries[$0].labels }
    }

    /// Names of this proxy's Envoy clusters, in print order.
    public var clusterNames: [String] { clusters.clusters.map(\.name) }
}
