/// Plain TCP traffic (databases, caches) from one workload to another, reported by
/// `istio_tcp_connections_opened_total`, `_closed_total`, `istio_tcp_sent_bytes_total` and
/// `istio_tcp_received_bytes_total`.
public struct TCPEdge: Sendable, Hashable {
    /// Source workload name.
    public var source: String
    /// Destination workload name (must have a `service`).
    public var destination: String
    /// New connections per second over the whole workload pair.
    public var connectionsPerSecond: Double
    /// Mean connection lifetime; connections close at this rate, so `closed` trails `opened`.
    public var meanConnectionSeconds: Double
    /// Bytes the destination sends back over one connection's life (Istio's "sent").
    public var sentBytesPerConnection: LogNormalDistribution
    /// Bytes the source sends over one connection's life (Istio's "received").
    public var receivedBytesPerConnection: LogNormalDistribution
    public var responseFlags: String
    public var connectionSecurityPolicy: String

    public init(
        from source: String,
        to destination: String,
        connectionsPerSecond: Double,
        meanConnectionSeconds: Double = 30,
        sentBytesPerConnection: LogNormalDistribution = .bytes(median: 40_000, p99: 2_000_000),
        receivedBytesPerConnection: LogNormalDistribution = .bytes(median: 8_000, p99: 200_000),
        responseFlags: String = "-",
        connectionSecurityPolicy: String = "mutual_tls"
    ) {
        precondition(connectionsPerSecond >= 0 && meanConnectionSeconds > 0)
        self.source = source
        self.destination = destination
        self.connectionsPerSecond = connectionsPerSecond
        self.meanConnectionSeconds = meanConnectionSeconds
        self.sentBytesPerConnection = sentBytesPerConnection
        self.receivedBytesPerConnection = receivedBytesPerConnection
        self.responseFlags = responseFlags
        self.connectionSecurityPolicy = connectionSecurityPolicy
    }
}
