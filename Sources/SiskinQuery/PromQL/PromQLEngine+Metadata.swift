import SiskinAggregation
import SiskinPromQL
import SiskinStore

/// What `/api/v1/series`, `/api/v1/labels` and `/api/v1/label/<name>/values`
/// answer: the Prometheus series names and label sets the store holds
/// (histograms as `_bucket` with `le`, `_sum`, `_count`), from the pod-level
/// detail.
extension PromQLEngine {
    public func series(matching selectors: [VectorSelector], store: borrowing WindowedStore) throws(PromQLError) -> [[Label]] {
        let selection = SeriesSelection(store: copy store, level: .pod)
        var seen = Set<String>()
        var out: [[Label]] = []
        for selector in selectors {
            for s in try selection.select(selector) where seen.insert(LabelSet.key(s.labels)).inserted {
                out.append(s.labels)
            }
        }
        return out.sorted { LabelSet.key($0) < LabelSet.key($1) }
    }

    public func labelNames(matching selectors: [VectorSelector], store: borrowing WindowedStore) throws(PromQLError) -> [String] {
        var names = Set<String>()
        for labels in try series(matching: selectors.isEmpty ? [Self.everything] : selectors, store: store) {
            for l in labels { names.insert(l.name) }
        }
        return names.sorted()
    }

    public func labelValues(_ name: String, matching selectors: [VectorSelector], store: borrowing WindowedStore) throws(PromQLError) -> [String] {
        var values = Set<String>()
        for labels in try series(matching: selectors.isEmpty ? [Self.everything] : selectors, store: store) {
            if let v = labels.first(where: { $0.name == name })?.value { values.insert(v) }
        }
        return values.sorted()
    }

    /// `{__name__=~".+"}`: every series.
    static let everything = VectorSelector(name: nil, matchers: [Matcher(name: "__name__", op: .regexMatch, value: ".+")])
}
