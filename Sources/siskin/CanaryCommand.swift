import ArgumentParser
import Foundation
import SiskinCanary

/// `siskin canary`: asks a running `siskin serve` to judge a canary against
/// its primary, as the Flagger webhook does (docs/canary-judge.md).
struct CanaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canary",
        abstract: "Judge a canary workload against its primary.",
        subcommands: [Judge.self]
    )

    struct Judge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Judge a canary against its primary over a window and print the verdict.",
            discussion: """
                Reads both workloads' requests, 5xx and latency histograms from the aggregator and \
                compares them (docs/canary-judge.md).

                Exit status: 0 pass, 1 fail, 2 inconclusive (too little traffic, or a marginal \
                score), 3 no verdict (server unreachable, bad parameters or configuration).
                """
        )

        /// Exit statuses, documented in the discussion above and in docs/canary-judge.md.
        static func exitCode(for outcome: Outcome) -> Int32 {
            switch outcome {
            case .pass: 0
            case .fail: 1
            case .inconclusive: 2
            }
        }

        static let noVerdict: Int32 = 3

        @OptionGroup var options: QueryCommand.ServerOptions

        @Option(help: "Namespace of both workloads.")
        var namespace: String

        @Option(help: "Canary workload (destination_workload, e.g. podinfo).")
        var canary: String

        @Option(help: "Primary workload. (default: <canary>-primary)")
        var primary: String?

        @Option(help: "Window, e.g. 30s, 1m, 5m.")
        var window: String = "1m"

        @Option(help: "End of the window in Unix seconds. (default: now)")
        var time: Double?

        @Option(help: "destination (server side) or source (client side).")
        var reporter: String = "destination"

        @Option(help: "JSON file with a judge configuration; missing keys keep their defaults.")
        var config: String?

        func run() throws {
            let judgement: CanaryJudgement
            let bytes: [UInt8]
            do {
                var configText: String?
                if let config {
                    let data = try Data(contentsOf: URL(fileURLWithPath: config))
                    let parsed = try JSONDecoder().decode(JudgeConfiguration.self, from: data)
                    let problems = parsed.problems
                    guard problems.isEmpty else {
                        throw ValidationError("\(config): " + problems.joined(separator: "; "))
                    }
                    configText = String(decoding: data, as: UTF8.self)
                }
                bytes = try options.get("/api/v1/siskin/canary/judge", query: [
                    ("namespace", namespace), ("canary", canary), ("primary", primary), ("window", window),
                    ("reporter", reporter), ("time", time.map { "\($0)" }), ("config", configText),
                ])
                judgement = try QueryCommand.ServerOptions.decoder().decode(CanaryJudgement.self, from: Data(bytes))
            } catch {
                FileHandle.standardError.write(Data("siskin canary judge: \(error)\n".utf8))
                throw ExitCode(Self.noVerdict)
            }
            if options.json {
                print(String(decoding: bytes, as: UTF8.self))
            } else {
                print(judgement.report(), terminator: "")
            }
            throw ExitCode(Self.exitCode(for: judgement.verdict.outcome))
        }
    }
}
