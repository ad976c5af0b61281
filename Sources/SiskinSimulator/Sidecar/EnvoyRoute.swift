/// Where a batch of traffic shows up in a sidecar's Envoy stats: the upstream cluster
/// that carried it and the HTTP connection manager that accepted it.
struct EnvoyRoute: Sendable, Hashable {
    var cluster: Int?
    var connectionManager: Int?
    /// gRPC (and h2) upstream connections count as `upstream_cx_http2_total`.
    var http2: Bool

    static let none = EnvoyRoute(cluster: nil, connectionManager: nil, http2: false)
}
