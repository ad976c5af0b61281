/// Label-less proxy-wide stats (`server.*`, `cluster_manager.*`, `listener_manager.*`),
/// printed with an empty label set `{}`.
enum ProxyStat: CaseIterable, Sendable {
    case clusterManagerCdsUpdateAttempt, clusterManagerCdsUpdateSuccess, clusterManagerClusterAdded
    case clusterManagerClusterModified, clusterManagerClusterRemoved
    case clusterManagerActiveClusters, clusterManagerWarmingClusters
    case listenerManagerLdsUpdateAttempt, listenerManagerLdsUpdateSuccess, listenerManagerListenerAdded
    case listenerManagerListenerCreateSuccess, listenerManagerTotalListenersActive
    case serverDebugAssertionFailures, serverDynamicUnknownFields, serverEnvoyBugFailures
    case serverMainThreadWatchdogMiss, serverStaticUnknownFields
    case serverConcurrency, serverDaysUntilFirstCertExpiring, serverHotRestartEpoch, serverLive
    case serverMemoryAllocated, serverMemoryHeapSize, serverMemoryPhysicalSize, serverParentConnections
    case serverState, serverStatsRecentLookups, serverTotalConnections, serverUptime

    /// Envoy's internal stat name; Envoy's handler sorts families by it.
    var statName: String {
        switch self {
        case .clusterManagerCdsUpdateAttempt: "cluster_manager.cds.update_attempt"
        case .clusterManagerCdsUpdateSuccess: "cluster_manager.cds.update_success"
        case .clusterManagerClusterAdded: "cluster_manager.cluster_added"
        case .clusterManagerClusterModified: "cluster_manager.cluster_modified"
        case .clusterManagerClusterRemoved: "cluster_manager.cluster_removed"
        case .clusterManagerActiveClusters: "cluster_manager.active_clusters"
        case .clusterManagerWarmingClusters: "cluster_manager.warming_clusters"
        case .listenerManagerLdsUpdateAttempt: "listener_manager.lds.update_attempt"
        case .listenerManagerLdsUpdateSuccess: "listener_manager.lds.update_success"
        case .listenerManagerListenerAdded: "listener_manager.listener_added"
        case .listenerManagerListenerCreateSuccess: "listener_manager.listener_create_success"
        case .listenerManagerTotalListenersActive: "listener_manager.total_listeners_active"
        case .serverDebugAssertionFailures: "server.debug_assertion_failures"
        case .serverDynamicUnknownFields: "server.dynamic_unknown_fields"
        case .serverEnvoyBugFailures: "server.envoy_bug_failures"
        case .serverMainThreadWatchdogMiss: "server.main_thread.watchdog_miss"
        case .serverStaticUnknownFields: "server.static_unknown_fields"
        case .serverConcurrency: "server.concurrency"
        case .serverDaysUntilFirstCertExpiring: "server.days_until_first_cert_expiring"
        case .serverHotRestartEpoch: "server.hot_restart_epoch"
        case .serverLive: "server.live"
        case .serverMemoryAllocated: "server.memory_allocated"
        case .serverMemoryHeapSize: "server.memory_heap_size"
        case .serverMemoryPhysicalSize: "server.memory_physical_size"
        case .serverParentConnections: "server.parent_connections"
        case .serverState: "server.state"
        case .serverStatsRecentLookups: "server.stats_recent_lookups"
        case .serverTotalConnections: "server.total_connections"
        case .serverUptime: "server.uptime"
        }
    }

    /// Prometheus name: `envoy_` plus the stat name with dots as underscores.
    var metricName: String {
        "envoy_" + String(statName.map { $0 == "." ? "_" : $0 })
    }

    var isGauge: Bool {
        switch self {
        case .clusterManagerActiveClusters, .clusterManagerWarmingClusters,
            .listenerManagerTotalListenersActive, .serverConcurrency,
            .serverDaysUntilFirstCertExpiring, .serverHotRestartEpoch, .serverLive,
            .serverMemoryAllocated, .serverMemoryHeapSize, .serverMemoryPhysicalSize,
            .serverParentConnections, .serverState, .serverStatsRecentLookups,
            .serverTotalConnections, .serverUptime:
            true
        default:
            false
        }
    }
}
