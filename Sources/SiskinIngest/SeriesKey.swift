import SiskinAggregation

/// Identity of one output series as agents push it: family name and label
/// set (sorted by name, `pod` and `namespace` included).
public struct SeriesKey: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var labels: [Label]

    public init(name: String, labels: [Label]) {
        self.name = name
        self.labels = labels
    }

    public func value(of label: String) -> String? {
        labels.first(where: { $0.name == label })?.value
    }

    public var description: String {
        "\(name){" + labels.map(\.description).joined(separator: ",") + "}"
    }
}

/// A pod as the aggregator knows it: namespace and name.
public struct PodKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var pod: String

    public init(namespace: String, pod: String) {
        self.namespace = namespace
        self.pod = pod
    }

    public static func < (a: PodKey, b: PodKey) -> Bool {
        a.namespace == b.namespace ? a.pod < b.pod : a.namespace < b.namespace
    }

    public var description: String { "\(namespace)/\(pod)" }
}
