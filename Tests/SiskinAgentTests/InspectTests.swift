import Foundation
import SiskinAgent
import SiskinAggregation
import SiskinExposition
import SiskinTesting
import SiskinWire
import Testing

/// The fixture with every istio_* value multiplied, as a later scrape.
func laterScrape(_ body: [UInt8], factor: UInt64) -> [UInt8] {
    var lines: [String] = []
    for line in String(decoding: body, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
        guard line.hasPrefix("istio_"), let space = line.lastIndex(of: " "),
              let value = UInt64(line[line.index(after: space)...]) else {
            lines.append(String(line)); continue
        }
        lines.append(String(line[...space]) + String(value * factor))
    }
    return Array(lines.joined(separator: "\n").utf8)
}

@Suite("siskin-agent inspect")
struct InspectTests {
    @Test("one scrape: counts of the input, of the output, and sizes")
    func singleScrape() throws {
        let body = try Fixtures.envoySidecar()
        let result = try Inspection(rules: .default, rulesName: "default").run(bodies: [("a", body)])
        let report = result.report
        let sampleLines = String(decoding: body, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }.count
        #expect(report.scrapes[0].series == sampleLines)
        #expect(report.scrapes[0].families == 8)
        #expect(report.scrapes[0].familiesKept == 2)
        #expect(report.outputSeries == 6)
        #expect(report.rawBytes == body.count)
        #expect(report.compressedBytes > 0 && report.compressedBytes < report.encodedBytes)
        #expect(report.steady == nil)
        #expect(try SummaryDecoder().decode(result.encodedSummary).families == result.summary.families)
    }

    @Test("several scrapes: increases first -> last equal the input's increases")
    func increases() throws {
        let first = try Fixtures.envoySidecar()
        let last = laterScrape(first, factor: 3)
        let result = try Inspection(rules: .default, rulesName: "default", repeatCount: 3)
            .run(bodies: [("1", first), ("2", laterScrape(first, factor: 2)), ("3", last)])
        let before = ReferenceSums.byMetricName(first), after = ReferenceSums.byMetricName(last)
        let requests = try #require(result.report.increases.first { $0.family == "istio_requests_total" })
        #expect(requests.increase == after["istio_requests_total"]! - before["istio_requests_total"]!)
        let duration = try #require(result.report.increases.first { $0.family == "istio_request_duration_milliseconds" })
        #expect(duration.increase == after["istio_request_duration_milliseconds_count"]! - before["istio_request_duration_milliseconds_count"]!)
        #expect(result.report.cold.passes == 3)
        #expect(result.report.steady?.passes == 6)
        #expect(result.report.scrapes.map(\.newSeries) == [69, 0, 0])
    }
}

@Suite("Rules YAML")
struct RulesFileTests {
    @Test("by, without and a preset underneath")
    func parse() throws {
        let rules = try RulesFile.parse("""
            preset: lean
            podLabel: kubernetes_pod_name
            rules:
              - families: [istio_tcp_sent_bytes_total]
                without: [source_principal]
              - families: [istio_requests_total]
                by: [destination_workload, response_code]
            """)
        #expect(rules.podLabel == "kubernetes_pod_name")
        #expect(rules.namespaceLabel == "namespace")
        #expect(rules.restartSignal == "envoy_server_uptime")
        #expect(try RulesFile.parse("preset: lean\nrestartSignal: \"\"").restartSignal == nil)
        #expect(rules.rules.count == 3)
        #expect(rules.rule(forFamily: "istio_requests_total")?.labels == .by(["destination_workload", "response_code"]))
        #expect(rules.rule(forFamily: "istio_tcp_sent_bytes_total")?.labels == .without(["source_principal"]))
        #expect(rules.rule(forFamily: "istio_request_duration_milliseconds")?.labels == .by(AggregationRules.leanKeptLabels))
    }

    @Test("mistakes get a clear message", arguments: [
        ("rules:\n  - families: [a]\n    by: [x]\n    without: [y]", "exactly one of 'by' or 'without'"),
        ("rules:\n  - families: [a]", "exactly one of 'by' or 'without'"),
        ("rules:\n  - families: []\n    by: [x]", "names no families"),
        ("preset: fast", "unknown preset 'fast'"),
        ("podLabel: p", "nothing would be aggregated"),
        ("rules: [", "rules YAML"),
    ])
    func errors(yaml: String, message: String) {
        do {
            _ = try RulesFile.parse(yaml)
            Issue.record("expected an error for \(yaml)")
        } catch {
            #expect("\(error)".contains(message))
        }
    }
}

@Suite("The built siskin-agent and siskin binaries")
struct CommandLineTests {
    @Test("inspect --format prometheus prints series that parse cleanly and add up to the input")
    func prometheusOutput() throws {
        let fixture = Fixtures.directory + "/envoy-sidecar-sample.txt"
        let output = try BuiltExecutable.run("siskin-agent", ["inspect", fixture, "--format", "prometheus"])
        #expect(output.status == 0, "\(output.stderr)")
        let printed = ReferenceSums.byMetricName(output.stdout)
        let input = ReferenceSums.byMetricName(try Fixtures.envoySidecar())
        for name in ["istio_requests_total", "istio_request_duration_milliseconds_count", "istio_request_duration_milliseconds_sum"] {
            #expect(printed[name] == input[name], "\(name)")
        }
        #expect(Parsing.errors(in: output.stdout) == 0)
    }

    @Test("promtool (Prometheus' own parser) accepts the --format prometheus output")
    func promtoolAcceptsOutput() throws {
        let fixture = Fixtures.directory + "/envoy-sidecar-sample.txt"
        let output = try BuiltExecutable.run("siskin-agent", ["inspect", fixture, fixture, "--format", "prometheus"])
        #expect(output.status == 0)
        let promtool = try SystemTool.run("promtool", ["check", "metrics"], stdin: output.stdout)
        // 0: clean; 3: lint opinions only (1 would be a parse error).
        #expect(promtool.status == 0 || promtool.status == 3, "\(promtool.stdoutText)\(promtool.stderr)")
        let complaints = (promtool.stdoutText + promtool.stderr).split(separator: "\n")
        #expect(!complaints.isEmpty, "promtool ran and linted")
        for complaint in complaints {
            // Istio's own naming: no HELP lines, milliseconds rather than seconds.
            #expect(complaint.hasSuffix("no help text") || complaint.contains("use base unit"), "\(complaint)")
        }
    }

    @Test("stdin input, JSON report, and a summary file that `siskin decode` reads back")
    func roundTripThroughFiles() throws {
        let dir = try BuiltExecutable.temporaryDirectory()
        let summaryPath = dir + "/summary.bin"
        let inspect = try BuiltExecutable.run(
            "siskin-agent", ["inspect", "-", "--format", "json", "--emit-summary", summaryPath, "--pod", "p-1", "--namespace", "ns"],
            stdin: try Fixtures.envoySidecar())
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let report = try JSONDecoder().decode(InspectionReport.self, from: Data(inspect.stdout))
        #expect(report.outputSeries == 6)
        let decode = try BuiltExecutable.run("siskin", ["decode", summaryPath, "--format", "header"])
        #expect(decode.status == 0, "\(decode.stderr)")
        #expect(decode.stdoutText.contains("pod ns/p-1"))
        #expect(decode.stdoutText.contains("6 series"))
        #expect(decode.stdoutText.contains("\(report.compressedBytes) bytes"))
    }

    @Test("a missing file and a broken body in strict mode fail with a clear message")
    func failures() throws {
        let missing = try BuiltExecutable.run("siskin-agent", ["inspect", "/nonexistent/dump.prom"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/dump.prom"))
        let broken = Array("# TYPE istio_requests_total counter\nistio_requests_total{a=\"1\" 5\n".utf8)
        let strict = try BuiltExecutable.run("siskin-agent", ["inspect", "-", "--strict"], stdin: broken)
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("line 2"))
        let lenient = try BuiltExecutable.run("siskin-agent", ["inspect", "-"], stdin: broken)
        #expect(lenient.status == 0)
        #expect(lenient.stdoutText.contains("line 2: expected ',' or '}'"))
    }

    @Test("siskin decode rejects bytes that are not a summary")
    func decodeGarbage() throws {
        let bad = try BuiltExecutable.run("siskin", ["decode", "-"], stdin: Array("hello, not a summary".utf8))
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("not a valid summary"))
    }
}

enum Parsing {
    static func errors(in body: [UInt8]) -> Int {
        var count = 0
        ExpositionParser.withParser(over: body) { parser in
            while let entry = parser.next() { if case .invalid = entry { count += 1 } }
        }
        return count
    }
}
