/// `cluster.<name>.<stat>` counters, printed as `envoy_cluster_<stat>{cluster_name=...}`.
enum ClusterCounter: Int, CaseIterable, Sendable {
    case assignmentStale, assignmentTimeoutReceived, bindErrors, defaultTotalMatchCount
    case lbHealthyPanic, membershipChange, originalDstHostInvalid, retryOrShadowAbandoned
    case updateAttempt, updateEmpty, updateFailure, updateNoRebuild, updateSuccess
    case upstreamCxCloseNotify, upstreamCxConnectAttemptsExceeded, upstreamCxConnectFail
    case upstreamCxConnectTimeout, upstreamCxDestroy, upstreamCxDestroyLocal, upstreamCxDestroyRemote
    case upstreamCxHttp1Total, upstreamCxHttp2Total, upstreamCxNoneHealthy, upstreamCxOverflow
    case upstreamCxProtocolError, upstreamCxRxBytesTotal, upstreamCxTotal, upstreamCxTxBytesTotal
    case upstreamRqCancelled, upstreamRqCompleted, upstreamRqMaintenanceMode, upstreamRqPendingOverflow
    case upstreamRqPendingTotal, upstreamRqPerTryTimeout, upstreamRqRetry, upstreamRqRetryLimitExceeded
    case upstreamRqRetryOverflow, upstreamRqRetrySuccess, upstreamRqRxReset, upstreamRqTimeout
    case upstreamRqTotal, upstreamRqTxReset

    /// The stat's suffix after `cluster.<name>.`.
    var stat: String {
        switch self {
        case .assignmentStale: "assignment_stale"
        case .assignmentTimeoutReceived: "assignment_timeout_received"
        case .bindErrors: "bind_errors"
        case .defaultTotalMatchCount: "default_total_match_count"
        case .lbHealthyPanic: "lb_healthy_panic"
        case .membershipChange: "membership_change"
        case .originalDstHostInvalid: "original_dst_host_invalid"
        case .retryOrShadowAbandoned: "retry_or_shadow_abandoned"
        case .updateAttempt: "update_attempt"
        case .updateEmpty: "update_empty"
        case .updateFailure: "update_failure"
        case .updateNoRebuild: "update_no_rebuild"
        case .updateSuccess: "update_success"
        case .upstreamCxCloseNotify: "upstream_cx_close_notify"
        case .upstreamCxConnectAttemptsExceeded: "upstream_cx_connect_attempts_exceeded"
        case .upstreamCxConnectFail: "upstream_cx_connect_fail"
        case .upstreamCxConnectTimeout: "upstream_cx_connect_timeout"
        case .upstreamCxDestroy: "upstream_cx_destroy"
        case .upstreamCxDestroyLocal: "upstream_cx_destroy_local"
        case .upstreamCxDestroyRemote: "upstream_cx_destroy_remote"
        case .upstreamCxHttp1Total: "upstream_cx_http1_total"
        case .upstreamCxHttp2Total: "upstream_cx_http2_total"
        case .upstreamCxNoneHealthy: "upstream_cx_none_healthy"
        case .upstreamCxOverflow: "upstream_cx_overflow"
        case .upstreamCxProtocolError: "upstream_cx_protocol_error"
        case .upstreamCxRxBytesTotal: "upstream_cx_rx_bytes_total"
        case .upstreamCxTotal: "upstream_cx_total"
        case .upstreamCxTxBytesTotal: "upstream_cx_tx_bytes_total"
        case .upstreamRqCancelled: "upstream_rq_cancelled"
        case .upstreamRqCompleted: "upstream_rq_completed"
        case .upstreamRqMaintenanceMode: "upstream_rq_maintenance_mode"
        case .upstreamRqPendingOverflow: "upstream_rq_pending_overflow"
        case .upstreamRqPendingTotal: "upstream_rq_pending_total"
        case .upstreamRqPerTryTimeout: "upstream_rq_per_try_timeout"
        case .upstreamRqRetry: "upstream_rq_retry"
        case .upstreamRqRetryLimitExceeded: "upstream_rq_retry_limit_exceeded"
        case .upstreamRqRetryOverflow: "upstream_rq_retry_overflow"
        case .upstreamRqRetrySuccess: "upstream_rq_retry_success"
        case .upstreamRqRxReset: "upstream_rq_rx_reset"
        case .upstreamRqTimeout: "upstream_rq_timeout"
        case .upstreamRqTotal: "upstream_rq_total"
        case .upstreamRqTxReset: "upstream_rq_tx_reset"
        }
    }
}
