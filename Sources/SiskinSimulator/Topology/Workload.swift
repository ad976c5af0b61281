/// A Kubernetes workload (Deployment) in the mesh: the identity that Istio's
/// `source_*`/`destination_*` labels describe.
public struct Workload: Sendable, Hashable {
    /// Workload name, unique within a topology, e.g. "podinfo-primary".
    public var name: String
    public var namespace: String
    /// `service.istio.io/canonical-name`, e.g. "podinfo" for both primary and canary.
    public var canonicalService: String
    /// `service.istio.io/canonical-revision`, e.g. "v1"/"v2"; Istio prints "latest" if unset.
    public var canonicalRevision: String
    /// The `app` label; Istio prints "unknown" if unset.
    public var app: String
    /// The `version` label; Istio prints "unknown" if unset.
    public var version: String
    /// Kubernetes service account; the principal is derived from it.
    public var serviceAccount: String
    /// The Service in front of the pods, if any (gateways and clients often have none).
    public var service: ServicePort?
    /// Number of pods (replicas); each pod gets its own sidecar.
    public var podCount: Int
    /// `source_cluster`/`destination_cluster`, the multicluster cluster ID.
    public var cluster: String
    /// SPIFFE trust domain of the principals.
    public var trustDomain: String

    /// Unset Istio labels default the way Istio prints them (`canonicalService` and `app`
    /// to the name, revision "latest", version "unknown").
    public init(
        name: String,
        namespace: String,
        canonicalService: String? = nil,
        canonicalRevision: String = "latest",
        app: String? = nil,
        version: String = "unknown",
        serviceAccount: String = "default",
        service: ServicePort? = nil,
        podCount: Int = 1,
        cluster: String = "Kubernetes",
        trustDomain: String = "cluster.local"
    ) {
        precondition(podCount >= 1, "a workload needs at least one pod")
        self.name = name
        self.namespace = namespace
        self.app = app ?? name
        self.canonicalService = canonicalService ?? app ?? name
        self.canonicalRevision = canonicalRevision
        self.version = version
        self.serviceAccount = serviceAccount
        self.service = service
        self.podCount = podCount
        self.cluster = cluster
        self.trustDomain = trustDomain
    }

    /// The SPIFFE identity printed as `source_principal`/`destination_principal` under mTLS.
    public var principal: String { "spiffe://\(trustDomain)/ns/\(namespace)/sa/\(serviceAccount)" }

    /// Istio's ingress gateway, the usual first hop (a source in every request it routes).
    public static func ingressGateway(podCount: Int = 2) -> Workload {
        Workload(
            name: "istio-ingressgateway",
            namespace: "istio-system",
            canonicalRevision: "latest",
            app: "istio-ingressgateway",
            serviceAccount: "istio-ingressgateway-service-account",
            service: ServicePort(name: "istio-ingressgateway", namespace: "istio-system", port: 8080),
            podCount: podCount
        )
    }

    /// The workload's pods, with stable Kubernetes-style names.
    public var pods: [Pod] {
        (0..<podCount).map { Pod(workload: self, index: $0) }
    }
}
