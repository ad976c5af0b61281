import SiskinAggregation
import SiskinExposition

/// Aggregation rules loaded from YAML, so a platform team can tune what each
/// agent keeps without a new build.
///
/// ```yaml
/// preset: default          # optional: start from a built-in preset's rules
/// podLabel: pod            # optional: label names for the pod's identity
/// namespaceLabel: namespace
/// restartSignal: envoy_server_uptime   # optional; "" turns pod-wide restart detection off
/// rules:                   # checked before the preset's; first match wins
///   - families: [istio_requests_total, istio_request_duration_milliseconds]
///     by: [reporter, destination_workload, destination_workload_namespace, response_code]
///   - families: [istio_tcp_sent_bytes_total]
///     without: [source_principal, destination_principal]
/// ```
public enum RulesFile {
    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    /// The file's fields, checked against the schema: unknown keys are
    /// errors (a misspelt `wihtout` must not silently keep every label).
    private struct Document {
        var preset: String?
        var podLabel: String?
        var namespaceLabel: String?
        var restartSignal: String?
        var rules: [Rule]?
    }

    private struct Rule {
        var families: [String]
        var by: [String]?
        var without: [String]?
    }

    private static func document(_ yaml: String) throws(Error) -> Document {
        let root: RulesYAML.Node
        do {
            root = try RulesYAML.parse(yaml)
        } catch {
            throw Error(description: "rules YAML: \(error)")
        }
        guard case .mapping(let entries) = root else {
            throw Error(description: "rules YAML: the file must be a mapping (preset, podLabel, namespaceLabel, "
                + "restartSignal, rules)")
        }
        var document = Document()
        for (key, value) in entries {
            switch key {
            case "preset": document.preset = try string(value, key)
            case "podLabel": document.podLabel = try string(value, key)
            case "namespaceLabel": document.namespaceLabel = try string(value, key)
            case "restartSignal": document.restartSignal = try string(value, key)
            case "rules":
                switch value {
                case .null: document.rules = nil
                case .sequence(let items):
                    document.rules = try items.enumerated().map { (i, item) throws(Error) in try rule(item, i + 1) }
                default: throw Error(description: "rules YAML: 'rules' must be a list of rules")
                }
            default:
                throw Error(description: "rules YAML: unknown key '\(key)' (known: preset, podLabel, namespaceLabel, "
                    + "restartSignal, rules)")
            }
        }
        return document
    }

    private static func rule(_ node: RulesYAML.Node, _ number: Int) throws(Error) -> Rule {
        guard case .mapping(let entries) = node else {
            throw Error(description: "rules YAML: rule \(number) must be a mapping with 'families' and 'by' or 'without'")
        }
        var families: [String]?
        var rule = Rule(families: [])
        for (key, value) in entries {
            let where_ = "rule \(number) '\(key)'"
            switch key {
            case "families": families = try strings(value, where_)
            case "by": rule.by = try strings(value, where_)
            case "without": rule.without = try strings(value, where_)
            default:
                throw Error(description: "rules YAML: rule \(number): unknown key '\(key)' (known: families, by, without)")
            }
        }
        guard let families else { throw Error(description: "rules YAML: rule \(number) has no 'families'") }
        rule.families = families
        return rule
    }

    private static func string(_ node: RulesYAML.Node, _ key: String) throws(Error) -> String? {
        switch node {
        case .null: return nil
        case .scalar(let text): return text
        default: throw Error(description: "rules YAML: '\(key)' must be a string")
        }
    }

    private static func strings(_ node: RulesYAML.Node, _ place: String) throws(Error) -> [String] {
        guard case .sequence(let items) = node else {
            throw Error(description: "rules YAML: \(place) must be a list, e.g. [a, b]")
        }
        return try items.map { item throws(Error) in
            guard case .scalar(let text) = item else { throw Error(description: "rules YAML: \(place) holds a non-string item") }
            return text
        }
    }

    /// Parses rules YAML; errors name the problem and the rule.
    public static func parse(_ yaml: String) throws -> AggregationRules {
        let document = try document(yaml)
        var base = AggregationRules(rules: [])  // no preset: only the file's rules
        if let preset = document.preset {
            guard let found = AggregationRules.preset(named: preset) else {
                throw Error(description: "rules YAML: unknown preset '\(preset)' (known: default, lean)")
            }
            base = found
        }
        var rules: [AggregationRule] = []
        for (i, rule) in (document.rules ?? []).enumerated() {
            guard !rule.families.isEmpty else {
                throw Error(description: "rules YAML: rule \(i + 1) names no families")
            }
            switch (rule.by, rule.without) {
            case (let by?, nil): rules.append(AggregationRule(families: rule.families, labels: .by(by)))
            case (nil, let without?): rules.append(AggregationRule(families: rule.families, labels: .without(without)))
            default:
                throw Error(description: "rules YAML: rule \(i + 1) must have exactly one of 'by' or 'without'")
            }
        }
        guard !(rules.isEmpty && base.rules.isEmpty) else {
            throw Error(description: "rules YAML: no rules and no preset; nothing would be aggregated")
        }
        return AggregationRules(
            rules: rules + base.rules,
            podLabel: document.podLabel ?? base.podLabel,
            namespaceLabel: document.namespaceLabel ?? base.namespaceLabel,
            restartSignal: document.restartSignal.map { $0.isEmpty ? nil : $0 } ?? base.restartSignal)
    }

    /// Loads a rules file, or a built-in preset given as `preset:NAME`.
    public static func load(_ pathOrPreset: String) throws -> AggregationRules {
        if pathOrPreset.hasPrefix("preset:") {
            let name = String(pathOrPreset.dropFirst("preset:".count))
            guard let preset = AggregationRules.preset(named: name) else {
                throw Error(description: "unknown preset '\(name)' (known: default, lean)")
            }
            return preset
        }
        let bytes: [UInt8]
        do {
            bytes = try BodyReader.readAll(pathOrPreset)
        } catch {
            throw Error(description: "cannot read rules file \(pathOrPreset): \(error)")
        }
        return try parse(String(decoding: bytes, as: UTF8.self))
    }
}
