@testable import SiskinAgent
import SiskinAggregation
import SiskinTesting
import Testing
import Yams

/// The agent parses its rules YAML itself (no Foundation in the sidecar);
/// Yams, a full YAML parser, is the oracle: on every document the subset
/// accepts, both must read the same tree.
@Suite struct RulesYAMLTests {
    /// Yams' tree in the subset's terms (every scalar a string, nulls null).
    static func oracle(_ yaml: String) throws -> RulesYAML.Node {
        guard let node = try Yams.compose(yaml: yaml) else { return .null }
        return convert(node)
    }

    static func convert(_ node: Yams.Node) -> RulesYAML.Node {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return .null }
            return .scalar(scalar.string)
        case .sequence(let sequence):
            return .sequence(sequence.map(convert))
        case .mapping(let mapping):
            return .mapping(mapping.map { (key: $0.key.string ?? "", value: convert($0.value)) })
        case .alias:
            return .null
        }
    }

    static let documents: [String] = [
        """
        preset: default          # optional: start from a built-in preset's rules
        podLabel: pod
        namespaceLabel: namespace
        restartSignal: envoy_server_uptime
        rules:                   # checked before the preset's; first match wins
          - families: [istio_requests_total, istio_request_duration_milliseconds]
            by: [reporter, destination_workload, destination_workload_namespace, response_code]
          - families: [istio_tcp_sent_bytes_total]
            without: [source_principal, destination_principal]
        """,
        """
        ---
        # block lists at the key's indentation, quoted scalars, an empty restart signal
        restartSignal: ""
        rules:
        - families:
          - "istio_requests_total"
          - 'istio_request_bytes'
          by:
          - reporter
          - 'it''s # not a comment'
        - families: [ "a", 'b' ,c, ]
          without: []
        """,
        """
        rules:
            -   families: [x]
                by: [y]   # four-space indents, several spaces after the dash
            -
                families: [z]
                without: ["q \\"quoted\\" \\\\ back"]
        podLabel: ~
        namespaceLabel:
        """,
        "preset: lean\r\nrules: []\r\n",
        "",
        "# only a comment\n\n",
    ]

    @Test(arguments: documents)
    func readsWhatYamsReads(_ yaml: String) throws {
        #expect(try RulesYAML.parse(yaml) == Self.oracle(yaml))
    }

    /// Random rules files in every style the subset takes: block and flow
    /// lists, quoting, comments, indentation widths, blank lines.
    @Test func randomDocumentsReadAsYamsReadsThem() throws {
        var random = SeededRandom(seed: 2026)
        for _ in 0..<400 {
            let yaml = Self.randomDocument(&random)
            let ours: RulesYAML.Node
            do {
                ours = try RulesYAML.parse(yaml)
            } catch {
                Issue.record("refused a document of the subset: \(error)\n\(yaml)")
                continue
            }
            #expect(try ours == Self.oracle(yaml), "\(yaml)")
        }
    }

    static func randomDocument(_ random: inout SeededRandom) -> String {
        let names = ["istio_requests_total", "reporter", "response_code", "le", "a.b", "x-y", "destination_workload"]
        func word() -> String { names[Int(random.below(UInt64(names.count)))] }
        func scalar() -> String {
            switch random.below(5) {
            case 0: return "\"\(word()) #\(random.below(9))\""
            case 1: return "'\(word())''s'"
            default: return word()
            }
        }
        func comment() -> String { random.oneIn(3) ? "   # \(word()): [not, parsed]" : "" }
        let step = [2, 4][Int(random.below(2))]
        let pad = String(repeating: " ", count: step)
        func list(_ indent: String) -> String {
            let count = Int(random.below(4)) + (random.oneIn(4) ? 0 : 1)
            let items = (0..<count).map { _ in scalar() }
            if random.oneIn(2) || items.isEmpty { return " [" + items.joined(separator: ", ") + "]" + comment() + "\n" }
            let dashIndent = random.oneIn(3) ? indent : indent + pad
            return comment() + "\n" + items.map { dashIndent + "- " + $0 + comment() + "\n" }.joined()
        }
        var out = random.oneIn(4) ? "---\n" : ""
        if random.oneIn(2) { out += "preset: \(random.oneIn(2) ? "default" : "'lean'")\(comment())\n" }
        if random.oneIn(3) { out += "restartSignal: \(random.oneIn(2) ? "\"\"" : word())\n" }
        if random.oneIn(4) { out += "\n# \(word())\n\n" }
        out += "rules:" + comment() + "\n"
        // One indentation for the list's items: YAML refuses a list whose items do not line up.
        let indent = random.oneIn(3) ? "" : pad
        for _ in 0..<(Int(random.below(3)) + 1) {
            let inner = indent + "  "
            out += indent + "- families:" + list(inner)
            out += inner + (random.oneIn(2) ? "by:" : "without:") + list(inner)
        }
        if random.oneIn(3) { out += "podLabel: \(scalar())\n" }
        return out
    }

    @Test func theDocumentedExampleLoads() throws {
        let rules = try RulesFile.parse(Self.documents[0])
        #expect(rules.rules.count == 2 + AggregationRules.default.rules.count)
        #expect(rules.restartSignal == "envoy_server_uptime")
        let quoted = try RulesFile.parse(Self.documents[1])
        #expect(quoted.restartSignal == nil)
        #expect(quoted.rules.count == 2)
    }

    @Test(arguments: [
        ("rules:\n\t- families: [a]\n", "line 2: tab in indentation"),
        ("rules: &r [a]\n", "line 1: anchors, aliases and tags"),
        ("preset: |\n  default\n", "line 1: block scalars"),
        ("rules: [{families: [a]}]\n", "line 1: nested flow collections"),
        ("podLabel: \"pod\n", "line 1: unterminated quoted string"),
        ("preset: lean\npreset: default\n", "line 2: key 'preset' appears twice"),
        ("---\npreset: lean\n---\npreset: default\n", "line 3: one YAML document per rules file"),
        ("rules:\n  - families: [a]\n   by: [b]\n", "line 3: unexpected indentation"),
        ("rules:\n  - families: [a]\n    by: [b\n", "line 3: a flow list must close on its line"),
    ])
    func unsupportedOrBrokenYAMLIsRefusedWithItsLine(_ yaml: String, _ message: String) {
        #expect {
            _ = try RulesYAML.parse(yaml)
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    @Test(arguments: [
        ("rules:\n  - families: [a]\n    wihtout: [pod]\n", "rule 1: unknown key 'wihtout'"),
        ("presett: lean\n", "unknown key 'presett'"),
        ("rules:\n  - by: [a]\n", "rule 1 has no 'families'"),
        ("rules: lean\n", "'rules' must be a list"),
        ("- a\n- b\n", "the file must be a mapping"),
        ("rules:\n  - families: a\n    by: [x]\n", "rule 1 'families' must be a list"),
    ])
    func schemaMistakesAreNamed(_ yaml: String, _ message: String) {
        #expect {
            _ = try RulesFile.parse(yaml)
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
