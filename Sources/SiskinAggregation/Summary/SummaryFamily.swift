/// All output series of one metric family in a pod summary.
public struct SummaryFamily: Sendable, Hashable {
    /// The family name as in `# TYPE` (for histograms without `_bucket`).
    public var name: String
    public var kind: MetricKind
    public var series: [SummarySeries]

    public init(name: String, kind: MetricKind, series: [SummarySeries]) {
        self.name = name
        self.kind = kind
        self.series = series
    }
}
