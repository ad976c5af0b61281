/// Stats of one HTTP connection manager (`http.<prefix>.*`), printed with the
/// `envoy_http_conn_manager_prefix` label.
enum ConnectionManagerStat: Int, CaseIterable, Sendable {
    case downstreamCxTotal, downstreamRqTotal, downstreamCxActive, downstreamRqActive

    var stat: String {
        switch self {
        case .downstreamCxTotal: "downstream_cx_total"
        case .downstreamRqTotal: "downstream_rq_total"
        case .downstreamCxActive: "downstream_cx_active"
        case .downstreamRqActive: "downstream_rq_active"
        }
    }

    var isGauge: Bool { self == .downstreamCxActive || self == .downstreamRqActive }
}
