import ArgumentParser

/// `siskin`: the central aggregator. It grows issue by issue (serve, PromQL
/// API, canary judge, demo); today it decodes what agents push.
@main
struct SiskinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siskin",
        abstract: "Siskin's aggregator for Istio sidecar telemetry.",
        subcommands: [DecodeCommand.self]
    )
}
