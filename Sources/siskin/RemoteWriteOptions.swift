import ArgumentParser
import SiskinCommandLine
import SiskinExport
import SiskinExposition

/// `siskin serve --remote-write…`: export to Prometheus-compatible receivers
/// (docs/remote-write.md).
struct RemoteWriteOptions: ParsableArguments {
    @Option(name: .customLong("remote-write"),
            help: "Remote write 1.0 receiver URL, e.g. http://mimir:8080/api/v1/push (repeatable). [env: SISKIN_REMOTE_WRITE, comma-separated]")
    var urls: [String] = Self.list("SISKIN_REMOTE_WRITE")

    @Option(name: .customLong("remote-write-level"),
            help: "rollup (workloads), pod (every family per pod) or both (--remote-write-pod-family per pod, the rest as rollups). [env: SISKIN_REMOTE_WRITE_LEVEL]")
    var level: String = Environment.value("SISKIN_REMOTE_WRITE_LEVEL") ?? ExportSelection.Level.both.rawValue

    @Option(name: .customLong("remote-write-pod-family"),
            help: "Family exported per pod under --remote-write-level both (repeatable; default istio_requests_total, the HPA's). [env: SISKIN_REMOTE_WRITE_POD_FAMILIES, comma-separated]")
    var podFamilies: [String] = Self.list("SISKIN_REMOTE_WRITE_POD_FAMILIES")

    @Option(name: .customLong("remote-write-label"),
            help: "External label name=value added to every exported series (repeatable), e.g. cluster=prod, __replica__=siskin-0. [env: SISKIN_REMOTE_WRITE_LABELS, comma-separated]")
    var labels: [String] = Self.list("SISKIN_REMOTE_WRITE_LABELS")

    @Option(name: .customLong("remote-write-interval"),
            help: "Time between an exported series' samples, like a scrape interval (at least the slot; counters stay exact at any interval). [env: SISKIN_REMOTE_WRITE_INTERVAL]")
    var interval: Seconds = Environment.value("SISKIN_REMOTE_WRITE_INTERVAL").flatMap(Seconds.init(argument:)) ?? Seconds(15)

    @Option(name: .customLong("remote-write-bearer-token-file"),
            help: "File holding a bearer token for the receivers (re-read per request). [env: SISKIN_REMOTE_WRITE_BEARER_TOKEN_FILE]")
    var bearerTokenFile: String?

    @Option(name: .customLong("remote-write-basic-auth-user"), help: "Basic auth user. [env: SISKIN_REMOTE_WRITE_BASIC_AUTH_USER]")
    var basicAuthUser: String?

    @Option(name: .customLong("remote-write-basic-auth-password-file"),
            help: "File holding the basic auth password. [env: SISKIN_REMOTE_WRITE_BASIC_AUTH_PASSWORD_FILE]")
    var basicAuthPasswordFile: String?

    @Option(name: .customLong("remote-write-ca-file"), help: "CA bundle for https receivers (default: the system's). [env: SISKIN_REMOTE_WRITE_CA_FILE]")
    var caFile: String?

    @Option(name: .customLong("remote-write-shards"), help: "Parallel senders per receiver. [env: SISKIN_REMOTE_WRITE_SHARDS]")
    var shards: Int = Environment.value("SISKIN_REMOTE_WRITE_SHARDS").flatMap { Int($0) } ?? 4

    @Option(name: .customLong("remote-write-max-samples-per-send"), help: "Most samples per request. [env: SISKIN_REMOTE_WRITE_MAX_SAMPLES_PER_SEND]")
    var maxSamplesPerSend: Int = Environment.value("SISKIN_REMOTE_WRITE_MAX_SAMPLES_PER_SEND").flatMap { Int($0) } ?? 5000

    @Option(name: .customLong("remote-write-queue-capacity"),
            help: "Most samples waiting per shard in memory (with --in-memory, or while the disk refuses writes); beyond it the oldest are dropped and counted. [env: SISKIN_REMOTE_WRITE_QUEUE_CAPACITY]")
    var queueCapacity: Int = Environment.value("SISKIN_REMOTE_WRITE_QUEUE_CAPACITY").flatMap { Int($0) } ?? 250_000

    @Option(name: .customLong("remote-write-queue-max-bytes"),
            help: "Most bytes queued on disk per receiver, under --data-dir/remote-write (e.g. 256MiB, 1GiB); beyond it the oldest are dropped and counted. [env: SISKIN_REMOTE_WRITE_QUEUE_MAX_BYTES]")
    var queueMaxBytes: String = Environment.value("SISKIN_REMOTE_WRITE_QUEUE_MAX_BYTES") ?? "256MiB"

    static func list(_ name: String) -> [String] {
        Environment.value(name)?.split(separator: ",").map { String($0).trimmingScalars(in: " ") }.filter { !$0.isEmpty } ?? []
    }

    func validate() throws {
        guard ExportSelection.Level(rawValue: level) != nil else { throw ValidationError("--remote-write-level must be rollup, pod or both") }
        for url in urls where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ValidationError("--remote-write must be an http:// or https:// URL, got '\(url)'")
        }
        for label in labels where RemoteWriteConfiguration.label(label) == nil {
            throw ValidationError("--remote-write-label must be name=value with a Prometheus label name, got '\(label)'")
        }
        guard interval.value >= 0 else { throw ValidationError("--remote-write-interval must not be negative") }
        guard let bytes = RemoteWriteConfiguration.byteSize(queueMaxBytes), bytes >= 1 << 20 else {
            throw ValidationError("--remote-write-queue-max-bytes must be a size of at least 1MiB (digits with an optional KiB, MiB or GiB), got '\(queueMaxBytes)'")
        }
        guard shards >= 1, maxSamplesPerSend >= 1, queueCapacity >= 1 else {
            throw ValidationError("--remote-write-shards, -max-samples-per-send and -queue-capacity must be positive")
        }
    }

    /// The configuration, or nil without `--remote-write`.
    func configuration() -> RemoteWriteConfiguration? {
        guard !urls.isEmpty else { return nil }
        let endpoint = { (url: String) in
            RemoteWriteEndpoint(
                url: url,
                bearerTokenFile: bearerTokenFile ?? Environment.value("SISKIN_REMOTE_WRITE_BEARER_TOKEN_FILE"),
                basicAuthUser: basicAuthUser ?? Environment.value("SISKIN_REMOTE_WRITE_BASIC_AUTH_USER"),
                basicAuthPasswordFile: basicAuthPasswordFile ?? Environment.value("SISKIN_REMOTE_WRITE_BASIC_AUTH_PASSWORD_FILE"),
                caFile: caFile ?? Environment.value("SISKIN_REMOTE_WRITE_CA_FILE"))
        }
        let selection = ExportSelection(
            level: ExportSelection.Level(rawValue: level) ?? .both,
            podFamilies: podFamilies.isEmpty ? ExportSelection.defaultPodFamilies : Set(podFamilies))
        return RemoteWriteConfiguration(
            endpoints: urls.map(endpoint), selection: selection,
            externalLabels: labels.compactMap(RemoteWriteConfiguration.label), intervalSeconds: interval.value,
            shards: shards, maxSamplesPerSend: maxSamplesPerSend, queueCapacity: queueCapacity,
            queueMaxBytes: RemoteWriteConfiguration.byteSize(queueMaxBytes) ?? RemoteWriteConfiguration.defaultQueueMaxBytes)
    }
}
