import SiskinExposition

/// Label conditions written as PromQL matchers for a catalogue template's
/// `$matchers`: the request's namespace and object, and a metric label
/// selector translated as prometheus-adapter translates it (`in` as `=~`,
/// `notin` as `!~`, existence as `=~".+"`, absence as `=""`).
public enum PromQLMatchers {
    public static func equal(_ name: String, _ value: String) -> String {
        labelName(name) + "=" + JSONText.quote(value)
    }

    /// `name` is one of `values`: `=` for one, a literal alternation for
    /// more, which the engine looks up in the label index like equalities
    /// (so a workload's pods cost what their series cost, not the namespace's).
    public static func oneOf(_ name: String, _ values: [String]) -> String {
        values.count == 1 ? equal(name, values[0]) : labelName(name) + "=~" + JSONText.quote(alternatives(values))
    }

    public static func matchers(for selector: LabelSelector) -> [String] {
        selector.requirements.map { requirement in
            switch requirement {
            case .equal(let k, let v): labelName(k) + "=" + JSONText.quote(v)
            case .notEqual(let k, let v): labelName(k) + "!=" + JSONText.quote(v)
            case .in(let k, let vs): labelName(k) + "=~" + JSONText.quote(alternatives(vs))
            case .notIn(let k, let vs): labelName(k) + "!~" + JSONText.quote(alternatives(vs))
            case .exists(let k): labelName(k) + "=~\".+\""
            case .doesNotExist(let k): labelName(k) + "=\"\""
            }
        }
    }

    /// A label name, quoted when it is not a plain Prometheus name (Kubernetes
    /// keys may hold `.`, `/` and `-`).
    static func labelName(_ name: String) -> String {
        let plain = name.unicodeScalars.enumerated().allSatisfy { index, c in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || (index > 0 && ("0"..."9").contains(c))
        }
        return plain && !name.isEmpty ? name : JSONText.quote(name)
    }

    /// `a|b` with regex metacharacters escaped (label values may hold `.`).
    static func alternatives(_ values: [String]) -> String {
        values.map { value in
            var out = ""
            for c in value.unicodeScalars {
                if "\\.+*?()|[]{}^$".unicodeScalars.contains(c) { out += "\\" }
                out.unicodeScalars.append(c)
            }
            return out
        }.joined(separator: "|")
    }
}
