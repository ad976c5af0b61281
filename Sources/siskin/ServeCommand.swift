import ArgumentParser
import Hummingbird
import Logging
import SiskinAgent
import SiskinAutoscaling
import SiskinCommandLine
import SiskinExport
import SiskinExposition
import SiskinIngest
import SiskinServer
import SiskinStore

/// `siskin serve`: the central aggregator.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive agents' summaries and answer queries about them.",
        discussion: """
            Every option can also be set with the environment variable named in its help. \
            Endpoints: POST /api/v1/siskin/summaries (agents), GET /api/v1/siskin/workloads, \
            GET /api/v1/siskin/workload, POST /api/v1/siskin/flagger/judge (Flagger webhook), \
            GET /api/v1/siskin/canary/judge, GET /api/v1/siskin/canary/history, the Prometheus HTTP API, \
            /healthz, /readyz, /metrics. With --tls-cert-file and --tls-key-file, the Kubernetes custom and \
            external metrics APIs (for the HPA) on --metrics-api-listen over HTTPS. With --listen-tls-cert-file \
            and --listen-tls-key-file, --listen serves HTTPS. Push tokens (--token-file) open ingest, read tokens \
            (--read-token-file) the rest; probes and /metrics are always open. See docs/aggregator.md, \
            docs/threat-model.md, docs/canary-judge.md and docs/autoscaling.md.
            """
    )

    @Option(help: "Address to listen on, host:port. [env: SISKIN_LISTEN]")
    var listen: String = Environment.value("SISKIN_LISTEN") ?? "0.0.0.0:9090"

    @Option(help: "Directory for the snapshot and push log. [env: SISKIN_DATA_DIR]")
    var dataDir: String = Environment.value("SISKIN_DATA_DIR") ?? "siskin-data"

    @Flag(help: "Keep state in memory only (nothing survives a restart). [env: SISKIN_IN_MEMORY]")
    var inMemory: Bool = Environment.flag("SISKIN_IN_MEMORY")

    @Option(help: "File of push tokens (what agents present), one per line, each optionally followed by namespaces=a,b; re-read when it changes; none means open ingest. [env: SISKIN_TOKEN_FILE]")
    var tokenFile: String?

    @Option(help: "File of read tokens (Prometheus API, native and canary APIs, pages' data), one per line (no namespaces=: a read token reads every namespace); re-read when it changes; none means reading is open. [env: SISKIN_READ_TOKEN_FILE]")
    var readTokenFile: String?

    @Option(help: "PEM certificate (chain) to serve the main port (--listen) over HTTPS; re-read when it changes. [env: SISKIN_LISTEN_TLS_CERT_FILE]")
    var listenTlsCertFile: String?

    @Option(help: "PEM private key for --listen-tls-cert-file; re-read when it changes. [env: SISKIN_LISTEN_TLS_KEY_FILE]")
    var listenTlsKeyFile: String?

    @Option(help: "How long workload rollups are kept. [env: SISKIN_RETENTION]")
    var retention: Seconds = Environment.value("SISKIN_RETENTION").flatMap(Seconds.init(argument:)) ?? Seconds(3600)

    @Option(help: "How long pod-level detail is kept. [env: SISKIN_DETAIL_RETENTION]")
    var detailRetention: Seconds = Environment.value("SISKIN_DETAIL_RETENTION").flatMap(Seconds.init(argument:)) ?? Seconds(600)

    @Option(help: "Pods silent this long are dropped. [env: SISKIN_STALE_AFTER]")
    var staleAfter: Seconds = Environment.value("SISKIN_STALE_AFTER").flatMap(Seconds.init(argument:)) ?? Seconds(300)

    @Option(help: "Width of a time slot; match the agents' interval. [env: SISKIN_SLOT]")
    var slot: Seconds = Environment.value("SISKIN_SLOT").flatMap(Seconds.init(argument:)) ?? Seconds(5)

    @Option(help: "Time between snapshots of the state. [env: SISKIN_SNAPSHOT_INTERVAL]")
    var snapshotInterval: Seconds = Environment.value("SISKIN_SNAPSHOT_INTERVAL").flatMap(Seconds.init(argument:)) ?? Seconds(60)

    @Option(help: "Most series one pod may push, and hold: new series beyond it are refused. [env: SISKIN_MAX_SERIES_PER_POD]")
    var maxSeriesPerPod: Int = Environment.value("SISKIN_MAX_SERIES_PER_POD").flatMap { Int($0) } ?? 20_000

    @Option(name: .customLong("metrics-api-listen"), help: "HTTPS address of the Kubernetes metrics APIs, host:port. [env: SISKIN_METRICS_API_LISTEN]")
    var metricsAPIListen: String = Environment.value("SISKIN_METRICS_API_LISTEN") ?? "0.0.0.0:6443"

    @Option(help: "PEM certificate (chain) of the metrics APIs; re-read when it changes. [env: SISKIN_TLS_CERT_FILE]")
    var tlsCertFile: String?

    @Option(help: "PEM private key of the metrics APIs; re-read when it changes. [env: SISKIN_TLS_KEY_FILE]")
    var tlsKeyFile: String?

    @Option(help: "YAML catalogue of the metrics APIs' metrics; built-in default when absent. [env: SISKIN_METRICS_CATALOGUE]")
    var metricsCatalogue: String?

    @Option(help: "PEM CA bundle the aggregation layer's front-proxy client certificate must chain to (the API server's --requestheader-client-ca-file); required on /apis when given. [env: SISKIN_REQUESTHEADER_CLIENT_CA_FILE]")
    var requestheaderClientCaFile: String?

    @Option(help: "Comma-separated common names accepted for that certificate (the API server's --requestheader-allowed-names); empty accepts any the CA signed. [env: SISKIN_REQUESTHEADER_ALLOWED_NAMES]")
    var requestheaderAllowedNames: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical. [env: SISKIN_LOG_LEVEL]")
    var logLevel: String = Environment.value("SISKIN_LOG_LEVEL") ?? "info"

    @Option(help: "text or json. [env: SISKIN_LOG_FORMAT]")
    var logFormat: String = Environment.value("SISKIN_LOG_FORMAT") ?? "text"

    @OptionGroup(title: "Remote write")
    var remoteWrite: RemoteWriteOptions

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        guard AgentLogHandler.Format(rawValue: logFormat) != nil else { throw ValidationError("--log-format must be text or json") }
        guard ListenAddress(listen) != nil else { throw ValidationError("--listen must be host:port, got '\(listen)'") }
        guard slot.value >= 0.1 else { throw ValidationError("--slot must be at least 100ms") }
        guard ListenAddress(metricsAPIListen) != nil else {
            throw ValidationError("--metrics-api-listen must be host:port, got '\(metricsAPIListen)'")
        }
        switch (certificateFile, keyFile) {
        case (.some, nil): throw ValidationError("--tls-cert-file needs --tls-key-file too")
        case (nil, .some): throw ValidationError("--tls-key-file needs --tls-cert-file too")
        default: break
        }
        switch (listenCertificateFile, listenKeyFile) {
        case (.some, nil): throw ValidationError("--listen-tls-cert-file needs --listen-tls-key-file too")
        case (nil, .some): throw ValidationError("--listen-tls-key-file needs --listen-tls-cert-file too")
        default: break
        }
    }

    // Optional options fall back to their environment variables here:
    // ArgumentParser deprecates defaults on optional options.
    var certificateFile: String? { tlsCertFile ?? Environment.value("SISKIN_TLS_CERT_FILE") }
    var keyFile: String? { tlsKeyFile ?? Environment.value("SISKIN_TLS_KEY_FILE") }
    var pushTokenFile: String? { tokenFile ?? Environment.value("SISKIN_TOKEN_FILE") }
    var readTokensFile: String? { readTokenFile ?? Environment.value("SISKIN_READ_TOKEN_FILE") }
    var listenCertificateFile: String? { listenTlsCertFile ?? Environment.value("SISKIN_LISTEN_TLS_CERT_FILE") }
    var listenKeyFile: String? { listenTlsKeyFile ?? Environment.value("SISKIN_LISTEN_TLS_KEY_FILE") }
    var cataloguePath: String? { metricsCatalogue ?? Environment.value("SISKIN_METRICS_CATALOGUE") }
    var clientCAFile: String? { requestheaderClientCaFile ?? Environment.value("SISKIN_REQUESTHEADER_CLIENT_CA_FILE") }
    var allowedNames: [String] {
        (requestheaderAllowedNames ?? Environment.value("SISKIN_REQUESTHEADER_ALLOWED_NAMES") ?? "")
            .split(separator: ",").map { String($0).trimmingScalars(in: " ") }.filter { !$0.isEmpty }
    }

    /// The metrics APIs' configuration, nil (off) without a certificate.
    func metricsAPIConfiguration(logger: Logger) throws -> MetricsAPIConfiguration? {
        var catalogue = MetricsCatalogue.builtIn()
        if let cataloguePath {
            let bytes = try BodyReader.readAll(cataloguePath, limit: 1 << 20)
            do {
                catalogue = try MetricsCatalogue(yaml: String(decoding: bytes, as: UTF8.self))
            } catch {
                throw ValidationError("\(cataloguePath): \(error)")
            }
        }
        guard let certificateFile, let keyFile else {
            logger.notice("no --tls-cert-file/--tls-key-file: the Kubernetes metrics APIs (HPA) are off")
            return nil
        }
        let certificates: CertificateStore
        do {
            certificates = try CertificateStore(certificateFile: certificateFile, keyFile: keyFile)
        } catch {
            throw ValidationError("cannot serve the metrics APIs with \(certificateFile) and \(keyFile): \(error)")
        }
        var frontProxy: FrontProxyAuthentication?
        if let clientCAFile {
            do {
                frontProxy = try FrontProxyAuthentication(clientCAFile: clientCAFile, allowedNames: allowedNames)
            } catch {
                throw ValidationError("cannot read --requestheader-client-ca-file \(clientCAFile): \(error)")
            }
        } else {
            logger.warning("""
                no --requestheader-client-ca-file: the metrics APIs answer anyone who reaches their port, \
                not only the Kubernetes aggregation layer (see docs/autoscaling.md)
                """)
        }
        let address = ListenAddress(metricsAPIListen)!
        return MetricsAPIConfiguration(host: address.host, port: address.port, certificates: certificates, catalogue: catalogue,
                                       frontProxy: frontProxy)
    }

    /// Push and read tokens, with what they mean said once at start. Tokens
    /// themselves are never logged: only how many and from which file.
    func accessControl(logger: Logger) throws -> AccessControl {
        let access: AccessControl
        do {
            access = try AccessControl(pushFile: pushTokenFile, readFile: readTokensFile)
        } catch {
            throw ValidationError("\(error)")
        }
        if let pushTokenFile {
            logger.info("pushing needs a push token", metadata: [
                "token_file": "\(pushTokenFile)", "tokens": "\(access.push.count)",
                "namespace_scoped": "\(access.push.scopedCount)",
            ])
        } else {
            logger.warning("no --token-file: ingest is OPEN, any client can push summaries. Set --token-file in production.")
        }
        if let readTokensFile {
            logger.info("reading needs a read token", metadata: [
                "read_token_file": "\(readTokensFile)", "tokens": "\(access.read.count)",
                "open_paths": "/healthz,/readyz,/-/healthy,/-/ready,/metrics,/ and the pages' assets",
            ])
        } else {
            logger.notice("""
                no --read-token-file: reading is open (Prometheus API, native and canary APIs, pages), as Flagger's \
                builtin checks send no credentials; set --read-token-file to require a read token
                """)
        }
        return access
    }

    /// The main port's serving certificate, nil for plain HTTP.
    func listenTLS(logger: Logger) throws -> CertificateStore? {
        guard let listenCertificateFile, let listenKeyFile else { return nil }
        do {
            let store = try CertificateStore(certificateFile: listenCertificateFile, keyFile: listenKeyFile)
            logger.info("the main port serves HTTPS", metadata: ["cert_file": "\(listenCertificateFile)"])
            return store
        } catch {
            throw ValidationError("cannot serve --listen over HTTPS with \(listenCertificateFile) and \(listenKeyFile): \(error)")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let format = AgentLogHandler.Format(rawValue: logFormat) ?? .text
        LoggingSystem.bootstrap { AgentLogHandler(label: $0, format: format, level: level) }
        let logger = Logger(label: "siskin")
        let address = ListenAddress(listen)!

        let access = try accessControl(logger: logger)
        let tls = try listenTLS(logger: logger)
        let store = StoreConfiguration(
            slotMilliseconds: Int64(slot.value * 1000),
            detailRetentionMilliseconds: Int64(detailRetention.value * 1000),
            retentionMilliseconds: Int64(retention.value * 1000),
            staleAfterMilliseconds: Int64(staleAfter.value * 1000),
            maxSeriesPerPod: maxSeriesPerPod)
        let metricsAPI = try metricsAPIConfiguration(logger: logger)
        let configuration = ServerConfiguration(host: address.host, port: address.port, access: access, tls: tls, store: store,
                                                snapshotIntervalSeconds: snapshotInterval.value, metricsAPI: metricsAPI)
        let database = try Database(configuration: store, dataDirectory: inMemory ? nil : dataDir)
        // Pods could not push while this process was down: not their silence.
        database.resume(now: ServerClock.nowMilliseconds())
        let status = database.persistence
        logger.info("state loaded", metadata: [
            "data_dir": "\(inMemory ? "(in memory)" : dataDir)", "pods": "\(database.read { $0.podCount })",
            "persistence": "\(status.summary)",
        ])
        // The queue and the running totals live next to the store's files
        // (the store's LOCK covers them); --in-memory keeps them in memory.
        let exporter = remoteWrite.configuration().map {
            RemoteWriteExporter(configuration: $0, logger: logger, directory: inMemory ? nil : dataDir + "/remote-write")
        }
        if let exporter {
            logger.info("remote write", metadata: [
                "receivers": "\(exporter.senders.map(\.endpoint.redactedURL).joined(separator: ","))",
                "level": "\(exporter.configuration.selection.level.rawValue)",
                "shards": "\(exporter.configuration.shards)",
                "queue": "\(exporter.directory.map { "\($0) (at most \(exporter.configuration.queueMaxBytes) bytes per receiver)" } ?? "in memory")",
            ])
        }
        let app = SiskinServer.application(
            configuration: configuration, database: database, remoteWrite: exporter, logger: logger
        ) { port in
            logger.info("listening", metadata: ["address": "\(address.host):\(port)", "scheme": "\(tls == nil ? "http" : "https")"])
        } onMetricsAPIListening: { port in
            logger.info("metrics APIs serving HTTPS", metadata: [
                "https_address": "\(metricsAPI?.host ?? ""):\(port)",
                "metrics": "\(metricsAPI?.catalogue.metrics.map(\.name).joined(separator: ",") ?? "")",
            ])
        }
        try await app.runService()
    }
}

/// `host:port`, with `[v6]:port` accepted.
struct ListenAddress {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }
}
