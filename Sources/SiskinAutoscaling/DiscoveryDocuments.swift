/// The discovery documents the aggregation layer and `kubectl api-resources`
/// read: `APIGroupList` at `/apis`, `APIGroup` per group, `APIResourceList`
/// per version naming each metric as `<resource>/<metric>` (custom) or
/// `<metric>` (external).
public enum Discovery {
    public struct GroupVersion: Sendable, Equatable, Encodable {
        public var groupVersion: String
        public var version: String
    }

    public struct Group: Sendable, Equatable, Encodable {
        public var name: String
        public var versions: [GroupVersion]
        public var preferredVersion: GroupVersion

        public init(_ group: MetricsAPIGroup) {
            name = group.rawValue
            versions = group.versions.map { GroupVersion(groupVersion: "\(group.rawValue)/\($0)", version: $0) }
            preferredVersion = versions[0]
        }
    }

    /// `/apis`.
    public struct GroupList: Sendable, Encodable {
        public var groups: [Group] = MetricsAPIGroup.allCases.map(Group.init)
        public init() {}

        public func encode(to encoder: any Encoder) throws {
            try TypeMeta.encode(kind: "APIGroupList", apiVersion: "v1", to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(groups, forKey: .groups)
        }
    }

    /// `/apis/<group>`.
    public struct GroupDocument: Sendable, Encodable {
        public var group: Group
        public init(_ group: MetricsAPIGroup) { self.group = Group(group) }

        public func encode(to encoder: any Encoder) throws {
            try TypeMeta.encode(kind: "APIGroup", apiVersion: "v1", to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(group.name, forKey: .name)
            try c.encode(group.versions, forKey: .versions)
            try c.encode(group.preferredVersion, forKey: .preferredVersion)
        }
    }

    public struct Resource: Sendable, Equatable, Encodable {
        public var name: String
        public var singularName = ""
        public var namespaced: Bool
        public var kind: String
        public var verbs = ["get"]
    }

    /// `/apis/<group>/<version>`.
    public struct ResourceList: Sendable, Encodable {
        public var groupVersion: String
        public var resources: [Resource]

        /// Every metric of `catalogue` the group serves.
        public init(_ group: MetricsAPIGroup, version: String, catalogue: MetricsCatalogue) {
            groupVersion = "\(group.rawValue)/\(version)"
            switch group {
            case .custom:
                resources = catalogue.metrics.flatMap { metric in
                    metric.resources.map {
                        Resource(name: "\($0.apiName)/\(metric.name)", namespaced: $0.isNamespaced, kind: "MetricValueList")
                    }
                }
            case .external:
                resources = catalogue.metrics.filter(\.external).map {
                    Resource(name: $0.name, namespaced: true, kind: "ExternalMetricValueList")
                }
            }
        }

        public func encode(to encoder: any Encoder) throws {
            try TypeMeta.encode(kind: "APIResourceList", apiVersion: "v1", to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(groupVersion, forKey: .groupVersion)
            try c.encode(resources, forKey: .resources)
        }
    }

    enum Keys: String, CodingKey { case groups, name, versions, preferredVersion, groupVersion, resources }
}
