/// `cluster.<name>.<stat>` gauges.
enum ClusterGauge: Int, CaseIterable, Sendable {
    case circuitBreakersDefaultCxOpen, circuitBreakersDefaultCxPoolOpen, circuitBreakersDefaultRqOpen
    case circuitBreakersDefaultRqPendingOpen, circuitBreakersDefaultRqRetryOpen
    case lbSubsetsActive, membershipDegraded, membershipExcluded, membershipHealthy, membershipTotal
    case upstreamCxActive, upstreamRqActive, upstreamRqPendingActive

    var stat: String {
        switch self {
        case .circuitBreakersDefaultCxOpen: "circuit_breakers_default_cx_open"
        case .circuitBreakersDefaultCxPoolOpen: "circuit_breakers_default_cx_pool_open"
        case .circuitBreakersDefaultRqOpen: "circuit_breakers_default_rq_open"
        case .circuitBreakersDefaultRqPendingOpen: "circuit_breakers_default_rq_pending_open"
        case .circuitBreakersDefaultRqRetryOpen: "circuit_breakers_default_rq_retry_open"
        case .lbSubsetsActive: "lb_subsets_active"
        case .membershipDegraded: "membership_degraded"
        case .membershipExcluded: "membership_excluded"
        case .membershipHealthy: "membership_healthy"
        case .membershipTotal: "membership_total"
        case .upstreamCxActive: "upstream_cx_active"
        case .upstreamRqActive: "upstream_rq_active"
        case .upstreamRqPendingActive: "upstream_rq_pending_active"
        }
    }
}
