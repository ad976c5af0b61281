/// One metric family and where its series come from.
struct FamilySpec: Sendable {
    enum Source: Sendable {
        case clusterCounter(ClusterCounter)
        case clusterRequestsByCode
        case clusterRequestsByClass
        case clusterGauge(ClusterGauge)
        case connectionManager(ConnectionManagerStat)
        case connectionManagerRequestsByClass
        case proxy(ProxyStat)
        case istioRequests
        case istioTCP(TCPCounter)
        case istioHistogram(IstioHistogram)
        case istioBuild
        case initializationTime
    }

    enum TCPCounter: Sendable {
        case closed, opened, received, sent
    }

    let name: String
    let type: FamilyType
    /// Envoy's internal (tag-extracted) stat name; families sort by it within a type.
    let statName: String
    let source: Source
    /// `# TYPE <name> <type>` plus newline.
    let typeLine: [UInt8]
    /// The sample name: `<name>` for counters and gauges.
    let nameBytes: [UInt8]
    /// `<name>_bucket`, `<name>_sum`, `<name>_count` for histograms.
    let bucketName: [UInt8]
    let sumName: [UInt8]
    let countName: [UInt8]

    init(name: String, type: FamilyType, statName: String, source: Source) {
        self.name = name
        self.type = type
        self.statName = statName
        self.source = source
        var typeLine: [UInt8] = []
        typeLine.appendStatic("# TYPE ")
        typeLine.appendString(name)
        typeLine.append(UInt8(ascii: " "))
        typeLine.appendStatic(type.keyword)
        typeLine.append(UInt8(ascii: "\n"))
        self.typeLine = typeLine
        nameBytes = Array(name.utf8)
        bucketName = Array((name + "_bucket").utf8)
        sumName = Array((name + "_sum").utf8)
        countName = Array((name + "_count").utf8)
    }

    /// Every family, in print order: counters, then gauges, then histograms, each group
    /// sorted by Envoy's stat name the way Envoy's `/stats/prometheus` handler does
    /// (Istio's metrics live in the `istiocustom` namespace, between `http.*` and
    /// `listener_manager.*`).
    static let printOrder: [FamilySpec] = {
        var specs: [FamilySpec] = []
        for counter in ClusterCounter.allCases {
            specs.append(FamilySpec(
                name: "envoy_cluster_" + counter.stat, type: .counter,
                statName: "cluster." + counter.stat, source: .clusterCounter(counter)))
        }
        specs.append(FamilySpec(
            name: "envoy_cluster_upstream_rq", type: .counter, statName: "cluster.upstream_rq",
            source: .clusterRequestsByCode))
        specs.append(FamilySpec(
            name: "envoy_cluster_upstream_rq_xx", type: .counter, statName: "cluster.upstream_rq_xx",
            source: .clusterRequestsByClass))
        for gauge in ClusterGauge.allCases {
            specs.append(FamilySpec(
                name: "envoy_cluster_" + gauge.stat, type: .gauge, statName: "cluster." + gauge.stat,
                source: .clusterGauge(gauge)))
        }
        for stat in ConnectionManagerStat.allCases {
            specs.append(FamilySpec(
                name: "envoy_http_" + stat.stat, type: stat.isGauge ? .gauge : .counter,
                statName: "http." + stat.stat, source: .connectionManager(stat)))
        }
        specs.append(FamilySpec(
            name: "envoy_http_downstream_rq_xx", type: .counter, statName: "http.downstream_rq_xx",
            source: .connectionManagerRequestsByClass))
        for stat in ProxyStat.allCases {
            specs.append(FamilySpec(
                name: stat.metricName, type: stat.isGauge ? .gauge : .counter, statName: stat.statName,
                source: .proxy(stat)))
        }
        specs.append(FamilySpec(
            name: "istio_requests_total", type: .counter, statName: "istiocustom.istio_requests_total",
            source: .istioRequests))
        let tcp: [(String, TCPCounter)] = [
            ("istio_tcp_connections_closed_total", .closed), ("istio_tcp_connections_opened_total", .opened),
            ("istio_tcp_received_bytes_total", .received), ("istio_tcp_sent_bytes_total", .sent),
        ]
        for (name, counter) in tcp {
            specs.append(FamilySpec(name: name, type: .counter, statName: "istiocustom." + name, source: .istioTCP(counter)))
        }
        for histogram in IstioHistogram.allCases {
            specs.append(FamilySpec(
                name: histogram.rawValue, type: .histogram, statName: "istiocustom." + histogram.rawValue,
                source: .istioHistogram(histogram)))
        }
        specs.append(FamilySpec(name: "istio_build", type: .gauge, statName: "istiocustom.istio_build", source: .istioBuild))
        specs.append(FamilySpec(
            name: "envoy_server_initialization_time_ms", type: .histogram,
            statName: "server.initialization_time_ms", source: .initializationTime))
        return specs.sorted {
            if $0.type != $1.type { return $0.type < $1.type }
            return $0.statName.utf8.lexicographicallyPrecedes($1.statName.utf8)
        }
    }()
}
