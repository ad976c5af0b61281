/// Which families a rule applies to and which of their labels survive.
///
/// Output series are the sums of the raw series that agree on the surviving
/// labels: counters, histogram buckets, `_sum` and `_count` add up per output
/// series, exactly as `sum by (...)` / `sum without (...)` would.
public struct AggregationRule: Sendable, Hashable {
    /// Which labels an output series keeps.
    public enum LabelSelection: Sendable, Hashable {
        /// Keep only these labels (`sum by`).
        case by([String])
        /// Keep every label except these (`sum without`).
        case without([String])
    }

    /// Family names as in `# TYPE` (histograms by their base name).
    public var families: [String]
    public var labels: LabelSelection

    public init(families: [String], labels: LabelSelection) {
        self.families = families
        self.labels = labels
    }

    /// Whether a raw label of this name survives (`le` is handled apart).
    public func keeps(_ name: String) -> Bool {
        switch labels {
        case .by(let names): names.contains(name)
        case .without(let names): !names.contains(name)
        }
    }
}
