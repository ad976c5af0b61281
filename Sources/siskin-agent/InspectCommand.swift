import ArgumentParser
import SiskinAgent
import SiskinAggregation
import SiskinExposition

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `siskin-agent inspect`: runs captured dumps through the real pipeline.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Parse captured /stats/prometheus dumps, aggregate them and report what would be pushed.",
        discussion: """
            FILEs are successive scrapes of one pod, in order (e.g. captured with \
            `curl -s localhost:15090/stats/prometheus > scrape-1.prom`); `-` reads standard input. \
            With several files the report shows the increases between the first and the last, and \
            times the first (cold) pass apart from the later (steady-state) ones.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, prometheus, json
    }

    @Argument(help: "Captured scrapes, oldest first ('-' for standard input).")
    var files: [String]

    @Option(help: "Aggregation rules: a YAML file, or preset:default / preset:lean.")
    var rules: String = "preset:default"

    @Option(help: "Output: text report, the aggregated series in Prometheus text format, or the report as JSON.")
    var format: Format = .text

    @Option(name: .customLong("repeat"), help: "Run the whole sequence N times, for timing (every pass parses every byte).")
    var repeatCount: Int = 1

    @Option(help: "Pod name to attach to output series.")
    var pod: String = "inspect"

    @Option(help: "Namespace to attach to output series.")
    var namespace: String = "inspect"

    @Flag(help: "Stop at the first malformed line instead of skipping and counting it.")
    var strict = false

    @Option(help: "Also write the last summary, wire-encoded and compressed as it would be pushed, to this file.")
    var emitSummary: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one FILE (or '-')") }
        guard repeatCount >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard files.filter({ $0 == "-" }).count <= 1 else { throw ValidationError("'-' can be given once") }
    }

    func run() throws {
        let loadedRules = try RulesFile.load(rules)
        let bodies = try files.map { (name: $0, bytes: try BodyReader.readAll($0)) }
        let inspection = Inspection(
            rules: loadedRules, rulesName: rules, repeatCount: repeatCount, pod: pod, namespace: namespace, strict: strict)
        let result = try inspection.run(bodies: bodies)
        if let emitSummary {
            try BodyWriter.write(result.encodedSummary, to: emitSummary)
        }
        switch format {
        case .text:
            print(result.report.text(), terminator: "")
        case .prometheus:
            print(result.summary.prometheusText(), terminator: "")
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(result.report)
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
