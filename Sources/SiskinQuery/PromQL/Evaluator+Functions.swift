import SiskinAggregation
import SiskinPromQL

extension Evaluator {
    func call(_ name: String, _ arguments: [Expr], at t: Int64) throws(PromQLError) -> PromValue {
        func argument(_ i: Int) throws(PromQLError) -> Expr {
            guard i < arguments.count else { throw PromQLError(.badData, "missing argument \(i + 1) in call to \(name)") }
            return arguments[i]
        }
        func mapValues(_ transform: (Double) -> Double) throws(PromQLError) -> PromValue {
            .vector(try vector(try argument(0), at: t).map { PromSample(labels: LabelSet.dropName($0.labels), value: transform($0.value)) })
        }
        switch name {
        case "rate", "irate", "increase":
            guard case .matrix(let selector, let range) = try argument(0).unwrapped else {
                throw PromQLError(.badData, "expected type range vector in call to function \"\(name)\"")
            }
            return .vector(try rangeFunction(RangeFunction(functionName: name)!, selector, range: range, at: t))
        case "histogram_quantile":
            let q = try scalar(try argument(0), at: t)
            return .vector(Self.histogramQuantile(q, try vector(try argument(1), at: t)))
        case "vector":
            return .vector([PromSample(labels: [], value: try scalar(try argument(0), at: t))])
        case "scalar":
            let samples = try vector(try argument(0), at: t)
            return .scalar(samples.count == 1 ? samples[0].value : .nan)
        case "time":
            return .scalar(Double(t) / 1000)
        case "abs": return try mapValues { Swift.abs($0) }
        case "ceil": return try mapValues { $0.rounded(.up) }
        case "floor": return try mapValues { $0.rounded(.down) }
        case "round":
            let nearest = arguments.count > 1 ? try scalar(arguments[1], at: t) : 1
            // Prometheus rounds half up, via the inverse of to_nearest.
            let inverse = 1 / nearest
            return try mapValues { ($0 * inverse + 0.5).rounded(.down) / inverse }
        case "clamp":
            let low = try scalar(try argument(1), at: t), high = try scalar(try argument(2), at: t)
            if low > high { return .vector([]) }
            return try mapValues { Swift.max(low, Swift.min(high, $0)) }
        case "clamp_min":
            let low = try scalar(try argument(1), at: t)
            return try mapValues { Swift.max(low, $0) }
        case "clamp_max":
            let high = try scalar(try argument(1), at: t)
            return try mapValues { Swift.min(high, $0) }
        case "sort", "sort_desc":
            let samples = try vector(try argument(0), at: t)
            let ascending = name == "sort"
            // NaN sorts last either way, as in Prometheus.
            return .vector(samples.sorted { a, b in
                if a.value.isNaN { return false }
                if b.value.isNaN { return true }
                return ascending ? a.value < b.value : a.value > b.value
            })
        case "absent":
            let samples = try vector(try argument(0), at: t)
            guard samples.isEmpty else { return .vector([]) }
            var labels: [Label] = []
            if case .vector(let selector) = try argument(0).unwrapped {
                var seen = Set<String>()
                for m in selector.matchers where m.op == .equal && m.name != LabelSet.metricName && seen.insert(m.name).inserted {
                    labels.append(Label(m.name, m.value))
                }
                // A label named twice with equality means no sample can match it: Prometheus leaves it out.
                let counts = Dictionary(selector.matchers.filter { $0.op == .equal }.map { ($0.name, 1) }, uniquingKeysWith: +)
                labels.removeAll { counts[$0.name, default: 0] > 1 }
            }
            return .vector([PromSample(labels: labels.sorted(), value: 1)])
        case "label_replace":
            return .vector(try labelReplace(arguments, at: t))
        default:
            throw PromQLError(.badData, "unknown function with name \"\(name)\"")
        }
    }

    private func labelReplace(_ arguments: [Expr], at t: Int64) throws(PromQLError) -> [PromSample] {
        guard arguments.count == 5 else { throw PromQLError(.badData, "label_replace takes 5 arguments") }
        var strings: [String] = []
        for a in arguments.dropFirst() {
            guard case .string(let s) = try evaluate(a, at: t) else { throw PromQLError(.badData, "label_replace expects string arguments") }
            strings.append(s)
        }
        let (destination, replacement, source, pattern) = (strings[0], strings[1], strings[2], strings[3])
        guard Self.isValidLabelName(destination) else { throw PromQLError(.badData, "invalid destination label name in label_replace(): \(destination)") }
        let regex: Regex<AnyRegexOutput>
        do { regex = try Regex(pattern) } catch { throw PromQLError(.badData, "invalid regular expression in label_replace(): \(pattern)") }
        // Only a value that matches at all goes to the backtracking engine
        // (for the groups): a linear-time check first, so a pathological
        // pattern costs linear time on every value that does not match.
        let linear = try? LinearRegex(pattern)
        var out: [PromSample] = []
        var seen = Set<String>()
        for sample in try vector(arguments[0], at: t) {
            var labels = sample.labels
            let value = LabelSet.value(sample.labels, source)
            if linear?.wholeMatch(value) != false, let match = try? regex.wholeMatch(in: value) {
                labels = LabelSet.setting(labels, destination, Self.expand(replacement, match))
            }
            guard seen.insert(LabelSet.key(labels)).inserted else {
                throw PromQLError(.execution, "vector cannot contain metrics with the same labelset")
            }
            out.append(PromSample(labels: labels, value: sample.value))
        }
        return out
    }

    /// `$1`, `${1}`, `$name` and `${name}` in a replacement, as Go's
    /// `Regexp.Expand` does; unknown groups expand to nothing.
    static func expand(_ template: String, _ match: Regex<AnyRegexOutput>.Match) -> String {
        var out = ""
        var chars = Array(template)
        var i = 0
        func group(_ name: String) -> String {
            if let n = Int(name) {
                guard n < match.output.count, let sub = match.output[n].substring else { return "" }
                return String(sub)
            }
            guard let sub = match.output[name]?.substring else { return "" }
            return String(sub)
        }
        chars.append("\0")
        while i < chars.count - 1 {
            let c = chars[i]
            guard c == "$" else { out.append(c); i += 1; continue }
            if chars[i + 1] == "$" { out.append("$"); i += 2; continue }
            var name = ""
            if chars[i + 1] == "{" {
                var j = i + 2
                while j < chars.count - 1, chars[j] != "}" { name.append(chars[j]); j += 1 }
                guard j < chars.count - 1 else { out.append(c); i += 1; continue }
                out += group(name)
                i = j + 1
            } else {
                var j = i + 1
                while j < chars.count - 1, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { name.append(chars[j]); j += 1 }
                guard !name.isEmpty else { out.append(c); i += 1; continue }
                out += group(name)
                i = j
            }
        }
        return out
    }

    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.properties.isASCIIHexDigit == false && first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    /// Prometheus' `histogram_quantile` over `_bucket` samples grouped by
    /// their labels without `le`.
    static func histogramQuantile(_ q: Double, _ samples: [PromSample]) -> [PromSample] {
        var groups: [String: (labels: [Label], buckets: [(upperBound: Double, count: Double)])] = [:]
        var order: [String] = []
        for sample in samples {
            let le = LabelSet.value(sample.labels, "le")
            guard !le.isEmpty, let bound = le == "+Inf" ? .infinity : Double(le) else { continue }
            let labels = sample.labels.filter { $0.name != "le" && $0.name != LabelSet.metricName }
            let key = LabelSet.key(labels)
            if groups[key] == nil { groups[key] = (labels, []); order.append(key) }
            groups[key]!.buckets.append((bound, sample.value))
        }
        return order.map { key in
            let group = groups[key]!
            return PromSample(labels: group.labels, value: HistogramQuantile.quantile(q, buckets: group.buckets))
        }
    }
}

extension Expr {
    /// The expression inside any parentheses.
    var unwrapped: Expr {
        if case .parenthesized(let inner) = self { return inner.unwrapped }
        return self
    }
}
