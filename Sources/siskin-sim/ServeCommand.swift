import ArgumentParser
import SiskinSimulator

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `siskin-sim serve`: a fake Envoy admin listener for scrapers (the agent, Prometheus)
/// with traffic advancing in real time.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a simulated sidecar's /stats/prometheus on 127.0.0.1, like Envoy's :15090.",
        discussion: """
            The preset's pod is warmed up, then traffic advances by --tick simulated seconds \
            every --tick wall-clock seconds. The body is rendered once per tick and shared by \
            all scrapes. Query parameters: usedonly, and filter=<regex> matched against Prometheus \
            family names (real Envoy matches its internal stat names). Other paths get 404. \
            Listens on 127.0.0.1 only. Runs until SIGINT or SIGTERM, then exits 0. Responses \
            are not gzip-compressed (the simulator links no zlib).
            """
    )

    @OptionGroup var simulation: SimulationOptions

    @Option(help: "TCP port on 127.0.0.1 (0 picks a free one).")
    var port: UInt16 = 15090

    @Option(help: "Seconds between traffic steps, both simulated and wall-clock.")
    var tick: Double = 5

    func validate() throws {
        guard tick > 0, tick.isFinite else { throw ValidationError("--tick must be positive") }
    }

    func run() throws {
        // Block the termination signals in every thread (the server's threads inherit the
        // mask) and wait for them synchronously below: no async-signal-safety concerns.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        let envoy = try FakeEnvoy(preset: simulation.preset, seed: simulation.seed, port: port)
        try envoy.startClock(tick: tick)
        let bytes = envoy.render().count
        try StandardStream.write(
            Array(("siskin-sim serve: preset=\(simulation.preset.rawValue) seed=\(simulation.seed) pod=\(envoy.podName) "
                + "serving \(envoy.scrapeURL) (\(bytes) bytes), tick \(tick) s; Ctrl-C to stop\n").utf8),
            to: 2)

        var received: Int32 = 0
        while sigwait(&signals, &received) != 0 {}
        envoy.stop()
        try StandardStream.write(
            Array("siskin-sim serve: signal \(received), stopped after \(envoy.scrapeCount) scrapes\n".utf8), to: 2)
    }
}
