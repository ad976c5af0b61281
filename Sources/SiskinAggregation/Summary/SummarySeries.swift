/// One output series of a pod summary.
public struct SummarySeries: Sendable, Hashable {
    /// Labels sorted by name; no `__name__` (the family carries the name).
    public var labels: [Label]
    public var value: Value

    public enum Value: Sendable, Hashable {
        case counter(SampleValue)
        case gauge(Double)
        case histogram(HistogramValue)
    }

    public init(labels: [Label], value: Value) {
        self.labels = labels
        self.value = value
    }
}
