import SiskinAggregation
import SiskinPromQL
import SiskinStore

/// The Prometheus series behind a selector. Siskin stores a histogram as one
/// series with a value per bucket, `_sum` and `_count`; PromQL sees
/// `<name>_bucket{le=…}`, `<name>_sum` and `<name>_count`. This maps one to
/// the other.
struct SelectedSeries {
    /// Which stored series, and which of its values.
    var id: Int
    var index: Int
    /// Prometheus labels: `__name__`, the stored labels, `le` for buckets.
    var labels: [Label]
}

struct SeriesSelection {
    let store: WindowedStore
    let level: SeriesLevel

    private enum Part { case plain, bucket, sum, count }

    /// Every Prometheus series at `level` the selector's matchers select.
    /// `withName: false` leaves `__name__` out of the labels, for callers
    /// that drop it anyway (`rate` and the other range functions).
    /// `keeping`, when given, keeps only those labels: an aggregation `by`
    /// them over a range function needs no more, and a histogram's buckets
    /// then cost one short array each instead of a copy of every label
    /// (the series and their order are the same either way).
    func select(_ selector: VectorSelector, withName: Bool = true, keeping: [String]? = nil) throws(PromQLError) -> [SelectedSeries] {
        var compiled = try selector.matchers.map { m throws(PromQLError) in
            (m, m.op == .regexMatch || m.op == .regexNoMatch ? try LabelRegex(m.value) : nil)
        }
        func passes(_ name: String, _ value: String) -> Bool {
            for (m, regex) in compiled where m.name == name {
                switch m.op {
                case .equal: if value != m.value { return false }
                case .notEqual: if value == m.value { return false }
                case .regexMatch: if !(regex?.matches(value) ?? false) { return false }
                case .regexNoMatch: if regex?.matches(value) ?? false { return false }
                }
            }
            return true
        }

        // Which stored families, and which part of them, the name selects.
        var families: [(family: String, part: Part, promName: String)] = []
        let nameEquality = selector.matchers.first(where: { $0.name == LabelSet.metricName && $0.op == .equal })?.value
        let candidates = nameEquality.map { [$0, Self.base($0, "_bucket"), Self.base($0, "_sum"), Self.base($0, "_count")].compactMap { $0 } }
            ?? store.familyNames(level)
        let known = Set(store.familyNames(level))
        for family in Set(candidates) where known.contains(family) {
            for (part, promName) in [(Part.plain, family), (.bucket, family + "_bucket"), (.sum, family + "_sum"), (.count, family + "_count")]
            where passes(LabelSet.metricName, promName) {
                families.append((family, part, promName))
            }
        }

        // Index lookups for equality matchers (and literal regexes) on other labels.
        var lookups: [[LabelMatcher]] = [[]]
        var answeredByIndex: [Bool] = []
        for (m, regex) in compiled {
            var answered = false
            if m.name != LabelSet.metricName && m.name != "le" {
                if m.op == .equal, !m.value.isEmpty {
                    lookups = lookups.map { $0 + [.equal(m.name, m.value)] }
                    answered = true
                } else if m.op == .regexMatch, let literals = regex?.literals, !literals.contains(""), literals.count <= 16 {
                    lookups = lookups.flatMap { base in literals.map { base + [.equal(m.name, $0)] } }
                    answered = true
                }
            }
            answeredByIndex.append(answered)
        }
        // Every series the postings return has the label with a value those
        // matchers accept: checking them again per series is wasted work.
        compiled = zip(compiled, answeredByIndex).filter { !$0.1 }.map(\.0)
        // Split once by what they test, so a series or a bucket with nothing
        // left to test skips the loops.
        let keyChecks = compiled.filter { $0.0.name != LabelSet.metricName }
        let labelChecks = keyChecks.filter { $0.0.name != "le" }
        let leChecks = keyChecks.filter { $0.0.name == "le" }
        func passesLe(_ value: String) -> Bool {
            leChecks.isEmpty || passes("le", value)
        }

        var out: [SelectedSeries] = []
        var leTexts = LeTexts()
        for (family, part, promName) in families.sorted(by: { $0.promName < $1.promName }) {
            var ids = Set<Int>()
            for matchers in lookups { ids.formUnion(store.select(level, name: family, matching: matchers)) }
            for id in ids.sorted() {
                let s = store.stored(level, id)
                let isHistogram = s.kind == .histogram
                if isHistogram == (part == .plain) { continue }
                var ok = true
                if !keyChecks.isEmpty {
                    for label in s.key.labels where !passes(label.name, label.value) {
                        ok = false
                        break
                    }
                    // Matchers on labels the series lacks see the empty string.
                    if ok {
                        for (m, _) in labelChecks
                        where !s.key.labels.contains(where: { $0.name == m.name }) && !passes(m.name, "") {
                            ok = false
                            break
                        }
                    }
                }
                guard ok else { continue }
                // Prometheus has no empty label values: a label kept empty is absent.
                var labels = s.key.labels.filter { !$0.value.isEmpty && (keeping?.contains($0.name) ?? true) }
                if withName && (keeping?.contains(LabelSet.metricName) ?? true) {
                    labels.append(Label(LabelSet.metricName, promName))
                    labels.sort()
                }
                switch part {
                case .plain:
                    if passesLe("") { out.append(SelectedSeries(id: id, index: 0, labels: labels)) }
                case .sum:
                    if passesLe("") { out.append(SelectedSeries(id: id, index: s.bounds.count + 1, labels: labels)) }
                case .count:
                    if passesLe("") { out.append(SelectedSeries(id: id, index: s.bounds.count + 2, labels: labels)) }
                case .bucket:
                    // Sorted once; `le` goes where it sorts (a series has no `le` of its own).
                    let at = labels.firstIndex { $0.name > "le" } ?? labels.count
                    let les = leTexts.texts(for: s.bounds)
                    let keepsLe = keeping?.contains("le") ?? true
                    for (i, le) in les.enumerated() {
                        guard passesLe(le) else { continue }
                        guard keepsLe else {
                            out.append(SelectedSeries(id: id, index: i, labels: labels))
                            continue
                        }
                        // `by (le)`: nothing but `le`, one shared array per bound.
                        if labels.isEmpty {
                            out.append(SelectedSeries(id: id, index: i, labels: leTexts.labels(for: s.bounds)[i]))
                            continue
                        }
                        var withLe: [Label] = []
                        withLe.reserveCapacity(labels.count + 1)
                        withLe.append(contentsOf: labels[..<at])
                        withLe.append(Label("le", le))
                        withLe.append(contentsOf: labels[at...])
                        out.append(SelectedSeries(id: id, index: i, labels: withLe))
                    }
                }
            }
        }
        return out
    }

    /// `le` values of a bucket layout as Prometheus prints them, `+Inf`
    /// last: formatted once per layout, not once per series and bucket.
    private struct LeTexts {
        var cache: [[Double]: [String]] = [:]
        var labelCache: [[Double]: [[Label]]] = [:]

        mutating func texts(for bounds: [Double]) -> [String] {
            if let texts = cache[bounds] { return texts }
            let texts = bounds.map(SampleValue.format) + ["+Inf"]
            cache[bounds] = texts
            return texts
        }

        /// `[le="…"]` per bound, `+Inf` last.
        mutating func labels(for bounds: [Double]) -> [[Label]] {
            if let labels = labelCache[bounds] { return labels }
            let labels = texts(for: bounds).map { [Label("le", $0)] }
            labelCache[bounds] = labels
            return labels
        }
    }

    private static func base(_ name: String, _ suffix: String) -> String? {
        name.hasSuffix(suffix) && name.count > suffix.count ? String(name.dropLast(suffix.count)) : nil
    }
}
