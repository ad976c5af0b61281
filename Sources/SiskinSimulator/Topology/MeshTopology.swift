/// The whole simulated mesh: workloads (with their pods) and the traffic between them.
///
/// A topology is plain data; `Fleet` turns it into running sidecars. Keeping it separate
/// lets tests, `siskin demo` and the load tool describe meshes without touching the engine.
public struct MeshTopology: Sendable, Hashable {
    /// Every workload, each with its pods; names are unique.
    public var workloads: [Workload]
    /// HTTP/gRPC traffic.
    public var edges: [TrafficEdge]
    /// Raw TCP traffic.
    public var tcpEdges: [TCPEdge]

    public init(workloads: [Workload], edges: [TrafficEdge] = [], tcpEdges: [TCPEdge] = []) {
        self.workloads = workloads
        self.edges = edges
        self.tcpEdges = tcpEdges
    }

    /// The workload called `name`, if any.
    public func workload(named name: String) -> Workload? {
        workloads.first { $0.name == name }
    }

    /// Every pod of every workload, in workload order.
    public var pods: [Pod] { workloads.flatMap(\.pods) }

    /// Every Service in the mesh, in workload order (each becomes an outbound cluster in
    /// every sidecar, as Istio pushes all services to all proxies by default).
    public var services: [ServicePort] { workloads.compactMap(\.service) }

    /// Problems that would make the topology unusable (unknown workloads, destinations
    /// without a Service, duplicate names); empty when it is valid.
    public var validationErrors: [String] {
        var errors: [String] = []
        var seen: Set<String> = []
        for workload in workloads where !seen.insert(workload.name).inserted {
            errors.append("duplicate workload name \(workload.name)")
        }
        let endpoints = edges.map { ($0.source, $0.destination) } + tcpEdges.map { ($0.source, $0.destination) }
        for (source, destination) in endpoints {
            if workload(named: source) == nil { errors.append("unknown source workload \(source)") }
            if let target = workload(named: destination) {
                if target.service == nil { errors.append("destination \(destination) has no service") }
            } else {
                errors.append("unknown destination workload \(destination)")
            }
        }
        return errors
    }
}
