import ArgumentParser
import SiskinSimulator

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Preset: ExpressibleByArgument {}

/// `siskin-sim dump`: successive scrapes of one preset pod, to files or stdout.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Write successive scrapes of one simulated sidecar.",
        discussion: """
            Traffic is warmed up for the preset's warm-up period before scrape 1 and advances \
            by --interval between scrapes. With --restart-at I, the Envoy restarts half way \
            through the interval before scrape I (so scrape I shows counters that went back to \
            zero and the series that traffic re-created since). Without --out the single scrape \
            goes to stdout. A one-line summary goes to stderr.
            """
    )

    @OptionGroup var simulation: SimulationOptions

    @Option(help: "Number of successive scrapes to write.")
    var scrapes: Int = 1

    @Option(help: "Seconds of traffic between scrapes.")
    var interval: Double = 15

    @Option(name: .customLong("restart-at"), help: "Restart Envoy before scrape I (1-based).")
    var restartAt: Int?

    @Option(help: "Directory for scrape-001.prom, scrape-002.prom, ... (stdout if omitted).")
    var out: String?

    func validate() throws {
        guard scrapes >= 1 else { throw ValidationError("--scrapes must be at least 1") }
        guard interval > 0, interval.isFinite else { throw ValidationError("--interval must be positive") }
        if let restartAt, !(1...scrapes).contains(restartAt) {
            throw ValidationError("--restart-at must be between 1 and --scrapes (\(scrapes))")
        }
        if out == nil && scrapes != 1 {
            throw ValidationError("writing several scrapes needs --out DIR")
        }
    }

    func run() throws {
        var fleet = Fleet(preset: simulation.preset, seed: simulation.seed, warmUp: false)
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        }
        var body: [UInt8] = []
        var renderTime = Duration.zero
        let clock = ContinuousClock()
        for scrape in 1...scrapes {
            let period = scrape == 1 ? simulation.preset.warmupSeconds : interval
            if restartAt == scrape {
                let before = (period / 2).rounded(.down)
                fleet.advance(by: before)
                fleet.restartFocus()
                fleet.advance(by: period - before)
            } else {
                fleet.advance(by: period)
            }
            body.removeAll(keepingCapacity: true)
            renderTime = clock.measure { fleet.focus.render(into: &body) }
            if let out {
                let name = "scrape-" + String(repeating: "0", count: max(0, 3 - String(scrape).count)) + "\(scrape).prom"
                let path = out.hasSuffix("/") ? out + name : out + "/" + name
                try Data(body).write(to: URL(fileURLWithPath: path))
            } else {
                try StandardStream.write(body, to: 1)
            }
        }
        let stats = ExpositionStats(measuring: body)
        let milliseconds = Double(renderTime.components.attoseconds) / 1e15 + Double(renderTime.components.seconds) * 1000
        let destination = out ?? "stdout"
        try StandardStream.write(
            Array(("siskin-sim dump: preset=\(simulation.preset.rawValue) seed=\(simulation.seed) pod=\(fleet.focus.pod.name) "
                + "scrapes=\(scrapes) -> \(destination); last scrape: \(stats.bytes) bytes, \(stats.lines) lines, "
                + "\(stats.series) series, \(stats.families) families, "
                + "\(fleet.focus.liveIstioSeriesCount) istio label sets, render \(Self.format(milliseconds)) ms\n").utf8),
            to: 2)
    }

    private static func format(_ milliseconds: Double) -> String {
        let hundredths = Int((milliseconds * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
