import ArgumentParser
import SiskinCommandLine
import Logging
import SiskinAgent
import SiskinAggregation
import SiskinExposition

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `siskin-agent run`: the sidecar loop.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Scrape the pod's Envoy every interval, aggregate, and push summaries to the aggregator(s).",
        discussion: """
            Every option can also be set with the environment variable named in its help. \
            SIGTERM/SIGINT: one final scrape and push within --shutdown-grace, then exit 0. \
            Health for Kubernetes probes: `siskin-agent health` (reads --status-file).
            """
    )

    @Option(help: "Envoy's Prometheus endpoint. [env: SISKIN_SCRAPE_URL]")
    var scrapeURL: String = Environment.value("SISKIN_SCRAPE_URL") ?? "http://127.0.0.1:15090/stats/prometheus"

    @Option(help: "Aggregator base URL (repeatable; the ingest path is appended). [env: SISKIN_PUSH_URL, comma-separated]")
    var pushURL: [String] = Environment.value("SISKIN_PUSH_URL")?.split(separator: ",").map { String($0).trimmingScalars(in: " ") } ?? []

    @Option(help: "Scrape interval, e.g. 5s. [env: SISKIN_INTERVAL]")
    var interval: Seconds = Environment.value("SISKIN_INTERVAL").flatMap(Seconds.init(argument:)) ?? Seconds(5)

    @Option(help: "Timeout of one scrape or push. [env: SISKIN_TIMEOUT]")
    var timeout: Seconds = Environment.value("SISKIN_TIMEOUT").flatMap(Seconds.init(argument:)) ?? Seconds(4)

    @Option(help: "Longest wait between retries of a failing push (exponential backoff with full jitter); default two intervals. [env: SISKIN_MAX_BACKOFF]")
    var maxBackoff: Seconds?

    @Option(help: "Pod name. [env: SISKIN_POD, else POD_NAME, else the hostname]")
    var pod: String = Environment.value("SISKIN_POD") ?? Environment.value("POD_NAME") ?? RunCommand.hostname()

    @Option(help: "Pod namespace. [env: SISKIN_NAMESPACE, else POD_NAMESPACE, else the service account's namespace]")
    var namespace: String = Environment.value("SISKIN_NAMESPACE") ?? Environment.value("POD_NAMESPACE") ?? RunCommand.serviceAccountNamespace()

    @Option(help: "Downward API labels file, e.g. /etc/podinfo/labels. [env: SISKIN_POD_LABELS_FILE]")
    var podLabelsFile: String?

    @Option(help: "File holding the bearer token for the aggregator (re-read on every push). [env: SISKIN_TOKEN_FILE]")
    var tokenFile: String?

    @Option(help: "PEM CA bundle the aggregator's certificate must chain to, for https push URLs; the system's CAs when absent. [env: SISKIN_CA_FILE]")
    var caFile: String?

    @Option(help: "Aggregation rules: a YAML file, or preset:default / preset:lean. [env: SISKIN_RULES]")
    var rules: String = Environment.value("SISKIN_RULES") ?? "preset:default"

    @Option(help: "Envoy `filter` regex so Envoy prints only matching stats; `auto` derives it from the rules. [env: SISKIN_SCRAPE_FILTER]")
    var scrapeFilter: String?

    @Flag(help: "Pass Envoy's `usedonly`: print only stats that were ever written. [env: SISKIN_SCRAPE_USED_ONLY]")
    var usedOnly: Bool = Environment.flag("SISKIN_SCRAPE_USED_ONLY")

    @Flag(inversion: .prefixedNo, help: "After warm-up, take the agent's code pages out of its resident set (start-up code stops counting against the pod). [env: SISKIN_RELEASE_CODE_PAGES=false to disable]")
    var releaseCodePages: Bool = Environment.value("SISKIN_RELEASE_CODE_PAGES").map { !["0", "false", "no"].contains($0.lowercased()) } ?? true

    @Option(help: "Time for the final scrape and push after SIGTERM. [env: SISKIN_SHUTDOWN_GRACE]")
    var shutdownGrace: Seconds = Environment.value("SISKIN_SHUTDOWN_GRACE").flatMap(Seconds.init(argument:)) ?? Seconds(5)

    @Option(help: "Heartbeat file for `siskin-agent health`. [env: SISKIN_STATUS_FILE]")
    var statusFile: String = Environment.value("SISKIN_STATUS_FILE") ?? "/tmp/siskin-agent.status"

    @Option(help: "trace, debug, info, notice, warning, error, critical. [env: SISKIN_LOG_LEVEL]")
    var logLevel: String = Environment.value("SISKIN_LOG_LEVEL") ?? "info"

    @Option(help: "text or json. [env: SISKIN_LOG_FORMAT]")
    var logFormat: String = Environment.value("SISKIN_LOG_FORMAT") ?? "text"

    /// `--max-backoff`, else `SISKIN_MAX_BACKOFF`, else nil (two intervals).
    func resolvedMaxBackoff() throws -> Seconds? {
        if let maxBackoff { return maxBackoff }
        guard let text = Environment.value("SISKIN_MAX_BACKOFF") else { return nil }
        guard let value = Seconds(argument: text) else { throw ValidationError("SISKIN_MAX_BACKOFF: not a duration: \(text)") }
        return value
    }

    func validate() throws {
        guard !pushURL.isEmpty else { throw ValidationError("no --push-url (or SISKIN_PUSH_URL): nowhere to push summaries") }
        guard interval.value >= 0.05 else { throw ValidationError("--interval must be at least 50ms") }
        guard timeout.value > 0 else { throw ValidationError("--timeout must be positive") }
        if let maxBackoff = try resolvedMaxBackoff() {
            guard maxBackoff.value > 0 else { throw ValidationError("--max-backoff must be positive") }
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        guard AgentLogHandler.Format(rawValue: logFormat) != nil else { throw ValidationError("--log-format must be text or json") }
        guard !pod.isEmpty else { throw ValidationError("no pod name: set --pod or POD_NAME") }
        if let caFile = caFile ?? Environment.value("SISKIN_CA_FILE") {
            // Fail at start, not at every push, when the bundle is missing.
            do {
                _ = try BodyReader.readAll(caFile, limit: 4 << 20)
            } catch {
                throw ValidationError("cannot read --ca-file \(caFile): \(error)")
            }
        }
    }

    func run() throws {
        let level = Logger.Level(rawValue: logLevel)!
        let format = AgentLogHandler.Format(rawValue: logFormat)!
        LoggingSystem.bootstrap { AgentLogHandler(label: $0, format: format, level: level) }
        let logger = Logger(label: "siskin-agent")

        var configuration = AgentConfiguration()
        configuration.scrapeURL = scrapeURL
        configuration.pushURLs = pushURL
        configuration.intervalSeconds = interval.value
        configuration.timeoutSeconds = min(timeout.value, max(interval.value, 0.05))
        configuration.maxBackoffSeconds = try resolvedMaxBackoff()?.value
        configuration.pod = pod
        configuration.releaseCodePages = releaseCodePages
        configuration.namespace = namespace
        // Optional options fall back to their environment variables here.
        let podLabelsFile = self.podLabelsFile ?? Environment.value("SISKIN_POD_LABELS_FILE")
        let scrapeFilter = self.scrapeFilter ?? Environment.value("SISKIN_SCRAPE_FILTER")
        configuration.tokenFile = tokenFile ?? Environment.value("SISKIN_TOKEN_FILE")
        configuration.caFile = caFile ?? Environment.value("SISKIN_CA_FILE")
        if configuration.caFile != nil, !pushURL.contains(where: { $0.lowercased().hasPrefix("https://") }) {
            logger.warning("--ca-file is set but no --push-url is https://: pushes are not encrypted")
        }
        configuration.rules = try RulesFile.load(rules)
        configuration.scrapeFilter = scrapeFilter == "auto" ? AgentConfiguration.envoyFilter(for: configuration.rules) : scrapeFilter
        configuration.scrapeUsedOnly = usedOnly
        configuration.shutdownGraceSeconds = shutdownGrace.value
        configuration.statusFile = statusFile
        if let podLabelsFile {
            do {
                configuration.podLabels = try PodLabelsFile.load(podLabelsFile)
            } catch {
                logger.warning("cannot read pod labels file; continuing without pod labels", metadata: ["error": .string("\(error)")])
            }
        }
        StopSignal.install()
        let loop = try AgentLoop(configuration: configuration, logger: logger)
        loop.run()
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func serviceAccountNamespace() -> String {
        let path = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
        guard let bytes = try? BodyReader.readAll(path, limit: 4096) else { return "default" }
        let text = String(decoding: bytes, as: UTF8.self).trimmingScalars(in: " \n\r\t")
        return text.isEmpty ? "default" : text
    }
}
