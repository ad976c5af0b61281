import SiskinAggregation

/// Label-set operations the engine needs, on arrays sorted by name.
enum LabelSet {
    static let metricName = "__name__"

    static func value(_ labels: [Label], _ name: String) -> String {
        labels.first(where: { $0.name == name })?.value ?? ""
    }

    static func dropping(_ labels: [Label], _ names: Set<String>) -> [Label] {
        labels.filter { !names.contains($0.name) }
    }

    static func dropName(_ labels: [Label]) -> [Label] {
        labels.filter { $0.name != metricName }
    }

    static func keeping(_ labels: [Label], _ names: Set<String>) -> [Label] {
        labels.filter { names.contains($0.name) }
    }

    /// Sets (or, for an empty value, removes) one label, keeping the order.
    static func setting(_ labels: [Label], _ name: String, _ value: String) -> [Label] {
        var out = labels.filter { $0.name != name }
        if !value.isEmpty {
            out.append(Label(name, value))
            out.sort()
        }
        return out
    }

    /// A hashable key for a label set (names and values cannot contain the
    /// separator byte 0xFF in valid UTF-8).
    static func key(_ labels: [Label]) -> String {
        var out = ""
        for l in labels {
            out += l.name
            out.unicodeScalars.append("\u{FFFF}")
            out += l.value
            out.unicodeScalars.append("\u{FFFE}")
        }
        return out
    }

    /// The labels vector matching compares: `on` keeps the listed ones,
    /// `ignoring` (or nothing) drops them and the metric name.
    static func signature(_ labels: [Label], on: Bool, names: [String]) -> String {
        let set = Set(names)
        if on { return key(labels.filter { set.contains($0.name) }) }
        return key(labels.filter { $0.name != metricName && !set.contains($0.name) })
    }
}
