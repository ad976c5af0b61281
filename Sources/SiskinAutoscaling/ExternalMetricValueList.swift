/// `ExternalMetricValueList` of `external.metrics.k8s.io/v1beta1`: values not
/// tied to an object, told apart by `metricLabels`. The HPA adds up the
/// items, so Siskin returns one per distinct combination of the labels the
/// selector pins, and `items: []` when no series matches.
public struct ExternalMetricValueList: Sendable, Encodable {
    public var items: [ExternalMetricValue]

    public init(items: [ExternalMetricValue]) {
        self.items = items
    }

    public func encode(to encoder: any Encoder) throws {
        try TypeMeta.encode(kind: "ExternalMetricValueList", apiVersion: "\(MetricsAPIGroup.external.rawValue)/v1beta1",
                            listMetadata: true, to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(items, forKey: .items)
    }

    enum Keys: String, CodingKey { case items }
}

/// One external metric value.
public struct ExternalMetricValue: Sendable, Equatable, Encodable {
    public var metricName: String
    public var metricLabels: [String: String]
    public var timestampMilliseconds: Int64
    public var windowSeconds: Int64
    public var value: Double

    public init(metricName: String, metricLabels: [String: String], timestampMilliseconds: Int64,
                windowSeconds: Int64, value: Double) {
        self.metricName = metricName
        self.metricLabels = metricLabels
        self.timestampMilliseconds = timestampMilliseconds
        self.windowSeconds = windowSeconds
        self.value = value
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(metricName, forKey: .metricName)
        try c.encode(metricLabels, forKey: .metricLabels)
        try c.encode(RFC3339.string(milliseconds: timestampMilliseconds), forKey: .timestamp)
        try c.encode(windowSeconds, forKey: .window)
        try c.encode(Quantity.string(value) ?? "0", forKey: .value)
    }

    enum Keys: String, CodingKey { case metricName, metricLabels, timestamp, window, value }
}
