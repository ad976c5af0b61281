import ArgumentParser
import SiskinSimulator

/// Which simulated sidecar to produce: shared by `dump` and `serve`, so both
/// pick the same pod and traffic for the same preset and seed.
struct SimulationOptions: ParsableArguments {
    @Option(help: "Scrape size preset (small ~90 KB, medium ~3 MB, large ~7.5 MB).")
    var preset: Preset = .small

    @Option(help: "Random seed; the same seed gives the same traffic (byte-identical dumps).")
    var seed: UInt64 = 42
}
