import ArgumentParser

/// `siskin`: the central aggregator (`serve`), its clients (`query`,
/// `canary`) and tools around the wire format (`decode`).
@main
struct SiskinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siskin",
        abstract: "Siskin's aggregator for Istio sidecar telemetry.",
        subcommands: [ServeCommand.self, QueryCommand.self, CanaryCommand.self, DemoCommand.self, DecodeCommand.self]
    )
}
