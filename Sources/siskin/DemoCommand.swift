import ArgumentParser
import Foundation
import Logging
import SiskinAgent
import SiskinCommandLine
import SiskinDemo
import SiskinSimulator

/// `siskin demo`: the main job on embedded defaults (docs/demo.md).
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a Flagger-style canary rollout judged by Siskin, end to end on this machine.",
        discussion: """
            Starts siskin serve in-process, fake Envoy sidecars for podinfo-primary, the canary podinfo and a \
            load generator, one real siskin-agent per pod over loopback, then shifts traffic to the canary step \
            by step, each step gated by Flagger's builtin checks (through the Prometheus API) and Siskin's judge \
            (through its Flagger webhook). Exit status: 0 promoted, 1 rolled back, 3 the demo could not run, \
            130 interrupted.
            """
    )

    @Option(help: "healthy, errors (canary 4 % 5xx) or slow (canary 3× slower).")
    var scenario: DemoScenario.Name = .healthy

    @Option(help: "Requests per second sent to podinfo (default 2000).")
    var requestsPerSecond: Double?

    @Option(help: "Primary's share of 5xx answers, percent (default 0.5).")
    var primaryErrorPercent: Double?

    @Option(help: "Canary's share of 5xx answers, percent (default: the scenario's).")
    var canaryErrorPercent: Double?

    @Option(help: "Primary's latency as median,p99 in ms, e.g. 20,170.")
    var primaryLatency: LatencyArgument?

    @Option(help: "Canary's latency as median,p99 in ms, e.g. 60,510.")
    var canaryLatency: LatencyArgument?

    @Option(help: "Flagger's analysis interval, scaled to seconds.")
    var interval: Seconds = Seconds(5)

    @Option(help: "Failed checks before rolling back.")
    var threshold: Int = 3

    @Option(help: "Canary weight added per passing analysis, percent.")
    var stepWeight: Int = 10

    @Option(help: "Weight at which a passing analysis promotes, percent.")
    var maxWeight: Int = 50

    @Option(help: "request-success-rate threshold, percent.")
    var minSuccessRate: Double = 99

    @Option(help: "request-duration threshold: largest p99, milliseconds.")
    var maxRequestDuration: Double = 500

    @Option(help: "The judge's window (default: the interval).")
    var judgeWindow: Seconds?

    @Option(help: "Pods of the primary.")
    var primaryPods: Int = 2

    @Option(help: "Pods of the canary.")
    var canaryPods: Int = 1

    @Option(help: "The agents' scrape interval (and the store's slot).")
    var agentInterval: Seconds = Seconds(1)

    @Option(help: "Where siskin serve listens, host:port (port 0: any free port).")
    var listen: String = "127.0.0.1:0"

    @Option(help: "Keep siskin serve's data here (default: a temporary directory, removed at exit).")
    var dataDir: String?

    @Option(help: "After the verdict, keep serving the pages this long (e.g. 5m); Ctrl-C ends it.")
    var linger: Seconds = Seconds(0)

    @Option(help: "Simulator seed.")
    var seed: UInt64 = 1

    @Option(help: "Log level of the in-process server and agents (stderr).")
    var logLevel: String = "error"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        guard ListenAddress(listen) != nil else { throw ValidationError("--listen must be host:port, got '\(listen)'") }
        for (name, value) in [("--primary-error-percent", primaryErrorPercent), ("--canary-error-percent", canaryErrorPercent)] {
            if let value, !(0...100).contains(value) { throw ValidationError("\(name) must be 0…100") }
        }
        let problems = makeOptions().problems
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "; ")) }
    }

    func makeOptions() -> DemoOptions {
        var plan = RolloutPlan(
            intervalSeconds: interval.value, threshold: threshold, stepWeight: stepWeight, maxWeight: maxWeight,
            minSuccessRate: minSuccessRate, maxRequestDurationMilliseconds: maxRequestDuration)
        plan.judgeWindowSeconds = judgeWindow?.value
        var options = DemoOptions(scenario: scenario, plan: plan)
        var custom = false
        if let requestsPerSecond {
            options.scenario.requestsPerSecond = requestsPerSecond
            custom = true
        }
        if let primaryErrorPercent {
            options.scenario.primary.errorShare = primaryErrorPercent / 100
            custom = true
        }
        if let canaryErrorPercent {
            options.scenario.canary.errorShare = canaryErrorPercent / 100
            custom = true
        }
        if let primaryLatency {
            options.scenario.primary.latency = .latency(medianMs: primaryLatency.median, p99Ms: primaryLatency.p99)
            custom = true
        }
        if let canaryLatency {
            options.scenario.canary.latency = .latency(medianMs: canaryLatency.median, p99Ms: canaryLatency.p99)
            custom = true
        }
        if custom { options.scenarioName += " (customised)" }
        options.primaryPods = primaryPods
        options.canaryPods = canaryPods
        options.agentIntervalSeconds = agentInterval.value
        if let address = ListenAddress(listen) {
            options.listenHost = address.host
            options.listenPort = address.port
        }
        options.dataDirectory = dataDir
        options.seed = seed
        options.lingerSeconds = linger.value
        options.logLevel = Logger.Level(rawValue: logLevel) ?? .error
        return options
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .error
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        // Ctrl-C or SIGTERM: roll back, stop the agents and the server, remove the data.
        StopSignal.install()
        var options = makeOptions()
        options.interrupted = { StopSignal.isRequested }
        let result: DemoResult
        do {
            // Unbuffered, line by line: the view is live even through a pipe.
            result = try await Demo.run(options) { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("siskin demo: \(error)\n".utf8))
            throw ExitCode(3)
        }
        if result.interrupted { throw ExitCode(130) }
        if result.outcome == .rolledBack { throw ExitCode(1) }
    }
}

extension DemoScenario.Name: ExpressibleByArgument {}

/// `median,p99` in milliseconds.
struct LatencyArgument: ExpressibleByArgument {
    var median: Double
    var p99: Double

    init?(argument: String) {
        let parts = argument.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let median = parts[0], let p99 = parts[1], median > 0, p99 > median, p99 < 1e7 else {
            return nil
        }
        self.median = median
        self.p99 = p99
    }
}
