/// The kinds of Kubernetes object a custom metric can describe, with what
/// Siskin groups its series by to give each object one value.
///
/// A pod is identified by the `pod` label the aggregator puts on every
/// pod-level series; a Deployment by Istio's `destination_workload` (the
/// Deployment's name for the workloads Istio reports); a Service by
/// `destination_service_name`; a namespace by `namespace`.
public enum MetricResource: String, Sendable, Hashable, CaseIterable, Codable {
    case pods
    case deployments
    case services
    case namespaces

    /// The resource as the custom metrics API names it in paths and
    /// discovery (`deployments.apps`: group-qualified outside the core group).
    public var apiName: String {
        switch self {
        case .pods: "pods"
        case .deployments: "deployments.apps"
        case .services: "services"
        case .namespaces: "namespaces"
        }
    }

    /// `describedObject.kind`.
    public var kind: String {
        switch self {
        case .pods: "Pod"
        case .deployments: "Deployment"
        case .services: "Service"
        case .namespaces: "Namespace"
        }
    }

    /// `describedObject.apiVersion`, as prometheus-adapter writes it (`/v1`
    /// for the core group: group and version joined by a slash).
    public var apiVersion: String {
        self == .deployments ? "apps/v1" : "/v1"
    }

    /// The series label naming the object (besides `namespace`).
    public var objectLabel: String {
        switch self {
        case .pods: "pod"
        case .deployments: "destination_workload"
        case .services: "destination_service_name"
        case .namespaces: "namespace"
        }
    }

    /// Whether objects of the kind live in a namespace (discovery says so).
    public var isNamespaced: Bool { self != .namespaces }

    /// The resource named in a request path: `pods`, `deployments`,
    /// `deployments.apps`, `services`, `namespaces` (singular forms too, as
    /// kubectl's `--raw` users type them).
    public init?(apiName: String) {
        switch apiName {
        case "pods", "pod": self = .pods
        case "deployments.apps", "deployments", "deployment", "deployment.apps": self = .deployments
        case "services", "service": self = .services
        case "namespaces", "namespace": self = .namespaces
        default: return nil
        }
    }
}
