/// `MetricValueList` of `custom.metrics.k8s.io`, in the shape of the version
/// asked for: v1beta2 nests the name and selector in `metric` and calls the
/// window `windowSeconds`; v1beta1 has `metricName`, `window` and a
/// `selector` that is written even when null. `items` is `[]`, never null,
/// when nothing matches: the HPA reads an empty list as "no pods", not as an
/// error of the API.
public struct MetricValueList: Sendable, Encodable {
    public var version: String
    public var items: [MetricValue]

    public init(version: String, items: [MetricValue]) {
        self.version = version
        self.items = items
    }

    public func encode(to encoder: any Encoder) throws {
        try TypeMeta.encode(kind: "MetricValueList", apiVersion: "\(MetricsAPIGroup.custom.rawValue)/\(version)",
                            listMetadata: true, to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        var list = c.nestedUnkeyedContainer(forKey: .items)
        for item in items { try list.encode(Versioned(value: item, version: version)) }
    }

    enum Keys: String, CodingKey { case items }

    private struct Versioned: Encodable {
        var value: MetricValue
        var version: String
        func encode(to encoder: any Encoder) throws { try value.encode(to: encoder, version: version) }
    }
}

/// One value of a custom metric for one object.
public struct MetricValue: Sendable, Equatable {
    public var describedObject: ObjectReference
    public var metricName: String
    /// Milliseconds since the epoch: when the value was computed.
    public var timestampMilliseconds: Int64
    public var windowSeconds: Int64
    public var value: Double
    /// The metric selector the value was computed under, if any.
    public var selector: LabelSelector?

    public init(describedObject: ObjectReference, metricName: String, timestampMilliseconds: Int64,
                windowSeconds: Int64, value: Double, selector: LabelSelector?) {
        self.describedObject = describedObject
        self.metricName = metricName
        self.timestampMilliseconds = timestampMilliseconds
        self.windowSeconds = windowSeconds
        self.value = value
        self.selector = selector
    }

    func encode(to encoder: any Encoder, version: String) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(describedObject, forKey: .describedObject)
        let structured = selector.flatMap { $0.isEverything ? nil : LabelSelectorDocument($0) }
        if version == "v1beta1" {
            try c.encode(metricName, forKey: .metricName)
            try c.encode(RFC3339.string(milliseconds: timestampMilliseconds), forKey: .timestamp)
            try c.encode(windowSeconds, forKey: .window)
            try c.encode(Quantity.string(value) ?? "0", forKey: .value)
            if let structured { try c.encode(structured, forKey: .selector) } else { try c.encodeNil(forKey: .selector) }
        } else {
            var metric = c.nestedContainer(keyedBy: Keys.self, forKey: .metric)
            try metric.encode(metricName, forKey: .name)
            try metric.encodeIfPresent(structured, forKey: .selector)
            try c.encode(RFC3339.string(milliseconds: timestampMilliseconds), forKey: .timestamp)
            try c.encode(windowSeconds, forKey: .windowSeconds)
            try c.encode(Quantity.string(value) ?? "0", forKey: .value)
        }
    }

    enum Keys: String, CodingKey {
        case describedObject, metricName, metric, name, selector, timestamp, window, windowSeconds, value
    }
}

/// `describedObject`: a `core/v1.ObjectReference` naming what a value is about.
public struct ObjectReference: Sendable, Equatable, Encodable {
    public var kind: String
    public var namespace: String?
    public var name: String
    public var apiVersion: String

    public init(kind: String, namespace: String?, name: String, apiVersion: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.apiVersion = apiVersion
    }

    /// The reference to object `name` of `resource` in `namespace`.
    public init(_ resource: MetricResource, namespace: String, name: String) {
        self.init(kind: resource.kind, namespace: resource.isNamespaced ? namespace : nil, name: name,
                  apiVersion: resource.apiVersion)
    }
}
