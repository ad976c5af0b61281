import SiskinAggregation
import SiskinPromQL

extension Evaluator {
    func aggregate(_ aggregation: Aggregation, at t: Int64) throws(PromQLError) -> PromValue {
        let samples = try vector(aggregation.expr, at: t)
        // A `by`/`without` list is a handful of names: a linear scan beats
        // hashing every label of every sample.
        let grouping = aggregation.grouping
        func grouped(_ name: String) -> Bool { grouping.contains(name) }
        func groupLabels(_ labels: [Label]) -> [Label] {
            aggregation.without
                ? labels.filter { !grouped($0.name) && $0.name != LabelSet.metricName }
                : labels.filter { grouped($0.name) }
        }
        var groups: [String: (labels: [Label], members: [PromSample])] = [:]
        var order: [String] = []
        for sample in samples {
            let labels = groupLabels(sample.labels)
            let key = LabelSet.key(labels)
            if groups[key] == nil { groups[key] = (labels, []); order.append(key) }
            groups[key]!.members.append(sample)
        }
        switch aggregation.op {
        case .topk, .bottomk:
            guard let parameter = aggregation.parameter else { throw PromQLError(.badData, "\(aggregation.op.rawValue) needs a parameter") }
            let k = try scalar(parameter, at: t)
            guard k.isFinite else { throw PromQLError(.badData, "Scalar value \(k) overflows int64") }
            let count = Int(Swift.max(0, k.rounded(.towardZero)))
            var out: [PromSample] = []
            for key in order {
                let members = groups[key]!.members
                let top = aggregation.op == .topk
                let sorted = members.sorted { a, b in
                    if a.value.isNaN { return false }
                    if b.value.isNaN { return true }
                    return top ? a.value > b.value : a.value < b.value
                }
                out += sorted.prefix(count)
            }
            return .vector(out)
        case .quantile:
            guard let parameter = aggregation.parameter else { throw PromQLError(.badData, "quantile needs a parameter") }
            let q = try scalar(parameter, at: t)
            return .vector(order.map { key in
                let g = groups[key]!
                return PromSample(labels: g.labels, value: Self.quantile(q, g.members.map(\.value)))
            })
        default:
            return .vector(order.map { key in
                let g = groups[key]!
                let values = g.members.map(\.value)
                let value: Double
                switch aggregation.op {
                case .sum: value = values.reduce(0, +)
                case .avg: value = values.reduce(0, +) / Double(values.count)
                case .count: value = Double(values.count)
                case .min: value = values.reduce(Double.nan) { $0.isNaN || $1 < $0 ? $1 : $0 }
                case .max: value = values.reduce(Double.nan) { $0.isNaN || $1 > $0 ? $1 : $0 }
                default: value = .nan
                }
                return PromSample(labels: g.labels, value: value)
            })
        }
    }

    /// Prometheus' `quantile` aggregation: linear interpolation between the
    /// closest ranks, `φ·(n−1)`.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        if values.isEmpty || q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let sorted = values.sorted()
        let rank = q * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down)), upper = Swift.min(lower + 1, sorted.count - 1)
        let weight = rank - Double(lower)
        return sorted[lower] * (1 - weight) + sorted[upper] * weight
    }
}
