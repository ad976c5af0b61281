import SiskinAggregation
import SiskinExposition
import Yams

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

    private struct Document: Decodable {
        var preset: String?
        var podLabel: String?
        var namespaceLabel: String?
        var restartSignal: String?
        var rules: [Rule]?
    }

    private struct Rule: Decodable {
        var families: [String]
        var by: [String]?
        var without: [String]?
    }

    /// Parses rules YAML; errors name the problem and the rule.
    public static func parse(_ yaml: String) throws -> AggregationRules {
        let document: Document
        do {
            document = try YAMLDecoder().decode(Document.self, from: yaml)
        } catch {
            throw Error(description: "rules YAML: \(error)")
        }
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
