import SiskinAutoscaling

/// A request path under `/apis`, read as the Kubernetes API lays it out:
/// discovery at `/apis`, `/apis/<group>` and `/apis/<group>/<version>`,
/// custom metrics at `…/namespaces/<ns>/<resource>/<name>/<metric>` and
/// `…/namespaces/<ns>/metrics/<metric>` (a namespace's own metric), external
/// metrics at `…/namespaces/<ns>/<metric>`.
enum MetricsAPIPath: Equatable {
    case groups
    case group(MetricsAPIGroup)
    case resources(MetricsAPIGroup, version: String)
    case custom(version: String, namespace: String, resource: MetricResource, name: String, metric: String)
    case external(namespace: String, metric: String)

    /// Parses `path` (the URL path, percent-encoded); nil for anything else,
    /// which is answered with a NotFound Status.
    init?(_ path: String) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { FormParameters.decode($0) }
        guard segments.first == "apis" else { return nil }
        guard segments.count > 1 else { self = .groups; return }
        guard let group = MetricsAPIGroup(rawValue: segments[1]) else { return nil }
        guard segments.count > 2 else { self = .group(group); return }
        let version = segments[2]
        guard group.versions.contains(version) else { return nil }
        let rest = Array(segments.dropFirst(3))
        switch (group, rest.count) {
        case (_, 0):
            self = .resources(group, version: version)
        case (.custom, 4) where rest[0] == "namespaces" && rest[2] == "metrics":
            self = .custom(version: version, namespace: rest[1], resource: .namespaces, name: rest[1], metric: rest[3])
        case (.custom, 5) where rest[0] == "namespaces":
            guard let resource = MetricResource(apiName: rest[2]), resource != .namespaces else { return nil }
            self = .custom(version: version, namespace: rest[1], resource: resource, name: rest[3], metric: rest[4])
        case (.external, 3) where rest[0] == "namespaces":
            self = .external(namespace: rest[1], metric: rest[2])
        default:
            return nil
        }
    }
}
