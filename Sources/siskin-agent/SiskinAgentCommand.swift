import ArgumentParser

/// `siskin-agent`: the per-pod sidecar. It must stay small: it links the
/// parser, aggregation and wire format, never the server stack.
@main
struct SiskinAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siskin-agent",
        abstract: "Siskin's per-pod agent: scrapes Envoy, pre-aggregates, pushes compressed cumulative summaries.",
        subcommands: [RunCommand.self, InspectCommand.self, HealthCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
