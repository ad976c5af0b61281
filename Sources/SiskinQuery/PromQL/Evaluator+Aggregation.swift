import SiskinAggregation
import SiskinPromQL

extension Evaluator {
    func aggregate(_ aggregation: Aggregation, at t: Int64) throws(PromQLError) -> PromValue {
        let samples = try input(of: aggregation, at: t)
        // A `by`/`without` list is a handful of names: a linear scan beats
        // hashing every label of every sample.
        let grouping = aggregation.grouping
        func grouped(_ name: String) -> Bool { grouping.contains(name) }
        func groupLabels(_ labels: [Label]) -> [Label] {
            aggregation.without
                ? labels.filter { !grouped($0.name) && $0.name != LabelSet.metricName }
                : labels.filter { grouped($0.name) }
        }
        // Groups keyed by their label arrays: Istio's labels are ASCII, whose
        // hashing takes String's fast path (a joined key string would not).
        var groupOf: [[Label]: Int] = [:]
        var groups: [(labels: [Label], members: [PromSample])] = []
        var memberOf: [Int] = []
        memberOf.reserveCapacity(samples.count)
        if !aggregation.without, grouping.count == 1 {
            // `by (le)`, `by (pod)`: the group is one label's value, found
            // without building a label array per sample.
            let name = grouping[0]
            var groupOfValue: [String: Int] = [:]
            var unlabelled: Int?
            for sample in samples {
                let value = sample.labels.first(where: { $0.name == name })?.value
                if let value, let g = groupOfValue[value] {
                    memberOf.append(g)
                } else if value == nil, let g = unlabelled {
                    memberOf.append(g)
                } else {
                    if let value { groupOfValue[value] = groups.count } else { unlabelled = groups.count }
                    memberOf.append(groups.count)
                    groups.append((value.map { [Label(name, $0)] } ?? [], []))
                }
            }
        } else {
            for sample in samples {
                let labels = groupLabels(sample.labels)
                if let g = groupOf[labels] {
                    memberOf.append(g)
                } else {
                    groupOf[labels] = groups.count
                    memberOf.append(groups.count)
                    groups.append((labels, []))
                }
            }
        }
        switch aggregation.op {
        case .topk, .bottomk, .quantile:
            for (sample, g) in zip(samples, memberOf) { groups[g].members.append(sample) }
        default:
            break
        }
        switch aggregation.op {
        case .topk, .bottomk:
            guard let parameter = aggregation.parameter else { throw PromQLError(.badData, "\(aggregation.op.rawValue) needs a parameter") }
            let k = try scalar(parameter, at: t)
            guard k.isFinite else { throw PromQLError(.badData, "Scalar value \(k) overflows int64") }
            let count = Int(Swift.max(0, k.rounded(.towardZero)))
            var out: [PromSample] = []
            for g in groups {
                let top = aggregation.op == .topk
                let sorted = g.members.sorted { a, b in
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
            return .vector(groups.map { g in
                PromSample(labels: g.labels, value: Self.quantile(q, g.members.map(\.value)))
            })
        default:
            // Folded as the samples come, in their order (as Prometheus adds them).
            var values = [Double](repeating: .nan, count: groups.count)
            var counts = [Int](repeating: 0, count: groups.count)
            for (sample, g) in zip(samples, memberOf) {
                let v = sample.value
                let first = counts[g] == 0
                counts[g] += 1
                switch aggregation.op {
                case .sum, .avg: values[g] = first ? v : values[g] + v
                case .min: if values[g].isNaN || v < values[g] { values[g] = v }
                case .max: if values[g].isNaN || v > values[g] { values[g] = v }
                default: break
                }
            }
            return .vector(groups.indices.map { g in
                let value: Double
                switch aggregation.op {
                case .sum: value = values[g]
                case .avg: value = values[g] / Double(counts[g])
                case .count: value = Double(counts[g])
                case .min, .max: value = values[g]
                default: value = .nan
                }
                return PromSample(labels: groups[g].labels, value: value)
            })
        }
    }

    /// The samples an aggregation folds. `sum by (le) (rate(x_bucket[1m]))`
    /// and its kin (a fold `by` labels over `rate`, `irate` or `increase`
    /// of a selector, as in Flagger's and the dashboards' queries) read
    /// only the grouped labels: the groups, values and order are those of
    /// the full samples, without copying every label of every bucket.
    func input(of aggregation: Aggregation, at t: Int64) throws(PromQLError) -> [PromSample] {
        let folds: Set<Aggregation.Op> = [.sum, .avg, .min, .max, .count]
        if !aggregation.without, folds.contains(aggregation.op),
           case .call(let name, let arguments) = aggregation.expr.unwrapped, arguments.count == 1,
           let function = RangeFunction(functionName: name),
           case .matrix(let selector, let range) = arguments[0].unwrapped {
            return try rangeFunction(function, selector, range: range, at: t, keeping: aggregation.grouping)
        }
        return try vector(aggregation.expr, at: t)
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
