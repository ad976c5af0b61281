/// Downstream stats of the sidecar's HTTP connection managers (`envoy_http_*` with the
/// `envoy_http_conn_manager_prefix` label): the inbound listener for the pod's own port, one
/// outbound listener per port it calls, and the admin listener that serves scrapes.
struct ConnectionManagerTable: Sendable {
    struct Manager: Sendable {
        let prefix: String
        /// `{envoy_http_conn_manager_prefix="<prefix>"} `.
        let plainLabels: [UInt8]
        /// `",envoy_http_conn_manager_prefix="<prefix>"} ` to follow a response class.
        let classSuffix: [UInt8]
    }

    let managers: [Manager]
    let indexByPrefix: [String: Int]
    private(set) var requests: [UInt64]
    /// `[manager * 5 + class - 1]`.
    private(set) var requestsByClass: [UInt64]

    init(prefixes: [String]) {
        let sorted = Array(Set(prefixes)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        managers = sorted.map { prefix in
            var escaped: [UInt8] = []
            escaped.appendEscapedLabelValue(prefix)
            var plain: [UInt8] = []
            plain.appendStatic("{envoy_http_conn_manager_prefix=\"")
            plain.append(contentsOf: escaped)
            plain.appendStatic("\"} ")
            var suffix: [UInt8] = []
            suffix.appendStatic("\",envoy_http_conn_manager_prefix=\"")
            suffix.append(contentsOf: escaped)
            suffix.appendStatic("\"} ")
            return Manager(prefix: prefix, plainLabels: plain, classSuffix: suffix)
        }
        indexByPrefix = Dictionary(uniqueKeysWithValues: managers.enumerated().map { ($1.prefix, $0) })
        requests = [UInt64](repeating: 0, count: managers.count)
        requestsByClass = [UInt64](repeating: 0, count: managers.count * 5)
    }

    mutating func record(manager: Int, requests count: UInt64, responseCode: String) {
        requests[manager] &+= count
        if let first = responseCode.utf8.first, (UInt8(ascii: "1")...UInt8(ascii: "5")).contains(first) {
            requestsByClass[manager * 5 + Int(first - UInt8(ascii: "1"))] &+= count
        }
    }

    mutating func restart() {
        for index in requests.indices { requests[index] = 0 }
        for index in requestsByClass.indices { requestsByClass[index] = 0 }
    }

    /// Requests served by the admin listener: one scrape every 15 s plus readiness probes
    /// every 10 s, all 200.
    private func adminRequests(_ manager: Int, uptime: Double) -> UInt64 {
        guard managers[manager].prefix == "admin" else { return 0 }
        return UInt64(max(0, uptime) / 15) + UInt64(max(0, uptime) / 10)
    }

    func value(_ stat: ConnectionManagerStat, manager: Int, uptime: Double) -> UInt64 {
        let total = requests[manager] &+ adminRequests(manager, uptime: uptime)
        switch stat {
        case .downstreamRqTotal: return total
        case .downstreamCxTotal: return total == 0 ? 0 : (total + 99) / 100
        case .downstreamCxActive: return min(total, managers[manager].prefix == "admin" ? 1 : 6)
        case .downstreamRqActive: return 0
        }
    }

    /// `downstream_rq_<class>xx`; always present (Envoy declares all five up front).
    func requests(manager: Int, responseClass: Int, uptime: Double) -> UInt64 {
        let stored = requestsByClass[manager * 5 + responseClass - 1]
        return responseClass == 2 ? stored &+ adminRequests(manager, uptime: uptime) : stored
    }
}
