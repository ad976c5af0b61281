import ArgumentParser
import SiskinExposition
import SiskinAggregation
import SiskinIngest

/// `siskin decode`: reads wire-format summaries (as an agent pushes them)
/// through the same intake as ingest, and prints them.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode wire-format pod summaries and print them.",
        discussion: "Write one with `siskin-agent inspect --emit-summary FILE`."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case header, prometheus
    }

    @Argument(help: "Summary files ('-' for standard input).")
    var files: [String]

    @Option(help: "header: identity and counts; prometheus: every series in text format.")
    var format: Format = .prometheus

    func run() throws {
        let intake = SummaryIntake()
        for file in files {
            let bytes = try BodyReader.readAll(file, limit: intake.limits.maxCompressedBytes + 1)
            let summary: PodSummary
            do {
                summary = try intake.accept(bytes)
            } catch {
                throw ValidationError("\(file): \(error)")
            }
            switch format {
            case .header:
                print("\(file): pod \(summary.namespace)/\(summary.pod), agent \(summary.agentInstance), "
                    + "sequence \(summary.sequence), timestamp \(summary.timestampMilliseconds) ms, "
                    + "\(summary.families.count) families, \(summary.seriesCount) series, \(bytes.count) bytes")
            case .prometheus:
                print(summary.prometheusText(), terminator: "")
            }
        }
    }
}
