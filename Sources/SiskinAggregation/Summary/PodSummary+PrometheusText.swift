import SiskinExposition

extension PodSummary {
    /// The summary in Prometheus text format 0.0.4: one `# TYPE` per family,
    /// histograms as `_bucket`/`_sum`/`_count`, so it can be diffed, checked
    /// with `promtool check metrics`, or scraped.
    public func prometheusText() -> String {
        var out = ""
        out.reserveCapacity(seriesCount * 256)
        for family in families {
            let type: String
            switch family.kind {
            case .counter: type = "counter"
            case .gauge: type = "gauge"
            case .histogram: type = "histogram"
            }
            out += "# TYPE \(family.name) \(type)\n"
            for series in family.series {
                switch series.value {
                case .counter(let value):
                    out += "\(family.name)\(Self.labelText(series.labels)) \(value)\n"
                case .gauge(let value):
                    out += "\(family.name)\(Self.labelText(series.labels)) \(SampleValue.format(value))\n"
                case .histogram(let h):
                    for (i, bound) in h.bounds.enumerated() {
                        let le = Label("le", SampleValue.format(bound))
                        out += "\(family.name)_bucket\(Self.labelText(series.labels, extra: le)) \(h.bucketCounts[i])\n"
                    }
                    out += "\(family.name)_bucket\(Self.labelText(series.labels, extra: Label("le", "+Inf"))) \(h.bucketCounts[h.bounds.count])\n"
                    out += "\(family.name)_sum\(Self.labelText(series.labels)) \(SampleValue.format(h.sum))\n"
                    out += "\(family.name)_count\(Self.labelText(series.labels)) \(h.count)\n"
                }
            }
        }
        return out
    }

    static func labelText(_ labels: [Label], extra: Label? = nil) -> String {
        var all = labels
        if let extra { all.append(extra) }
        guard !all.isEmpty else { return "" }
        return "{" + all.map { "\($0.name)=\"\(LabelEscaping.escape($0.value))\"" }.joined(separator: ",") + "}"
    }
}
