import ArgumentParser

/// `siskin-sim`: command-line front end of the Envoy sidecar simulator, for producing
/// realistic `:15090/stats/prometheus` bodies without a cluster.
@main
struct SiskinSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siskin-sim",
        abstract: "Simulate Istio Envoy sidecars and print their Prometheus stats.",
        subcommands: [DumpCommand.self, ServeCommand.self]
    )
}
