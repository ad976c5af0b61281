/// The API groups and versions Siskin serves, named once.
public enum MetricsAPIGroup: String, Sendable, CaseIterable {
    case custom = "custom.metrics.k8s.io"
    case external = "external.metrics.k8s.io"

    /// Versions served, preferred first (the HPA asks for the preferred one;
    /// older clusters still use custom v1beta1).
    public var versions: [String] {
        switch self {
        case .custom: ["v1beta2", "v1beta1"]
        case .external: ["v1beta1"]
        }
    }

    public var preferredVersion: String { versions[0] }
}
