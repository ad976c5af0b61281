import SiskinIngest
import SiskinStore
import SiskinWire

/// Everything `siskin serve` is configured with.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Push and read tokens (docs/aggregator.md, "Credentials").
    public var access: AccessControl
    /// The push tokens (`--token-file`).
    public var tokens: BearerTokens { access.push }
    /// HTTPS on the main port when set (`--listen-tls-cert-file`), re-read
    /// when the files change; plain HTTP otherwise.
    public var tls: CertificateStore?
    /// Seconds between checks of the token and certificate files.
    public var fileReloadSeconds: Double
    public var limits: DecodingLimits
    public var store: StoreConfiguration
    /// How often stale pods are dropped and the log is flushed.
    public var maintenanceIntervalSeconds: Double
    /// How often a snapshot is written (with a data directory).
    public var snapshotIntervalSeconds: Double
    /// The Kubernetes metrics APIs over HTTPS; off when nil.
    public var metricsAPI: MetricsAPIConfiguration?

    public init(
        host: String = "0.0.0.0", port: Int = 9090, tokens: BearerTokens = .open, readTokens: BearerTokens = .open,
        access: AccessControl? = nil, tls: CertificateStore? = nil, fileReloadSeconds: Double = 5,
        limits: DecodingLimits = ServerConfiguration.ingestLimits, store: StoreConfiguration = .default,
        maintenanceIntervalSeconds: Double = 1, snapshotIntervalSeconds: Double = 60,
        metricsAPI: MetricsAPIConfiguration? = nil
    ) {
        self.metricsAPI = metricsAPI
        self.host = host
        self.port = port
        self.access = access ?? AccessControl(push: tokens, read: readTokens)
        self.tls = tls
        self.fileReloadSeconds = fileReloadSeconds
        self.limits = limits
        self.store = store
        self.maintenanceIntervalSeconds = maintenanceIntervalSeconds
        self.snapshotIntervalSeconds = snapshotIntervalSeconds
    }

    /// Ingest limits: a real summary is a few KB to tens of KB, so 1 MiB
    /// frames, 8 MiB inflated, 50,000 series and 4 KiB strings leave ample
    /// room while bounding what one hostile push costs.
    public static let ingestLimits = DecodingLimits(
        maxCompressedBytes: 1 << 20, maxDecompressedBytes: 8 << 20, maxStrings: 200_000,
        maxStringLength: 4096, maxFamilies: 1024, maxSeries: 50_000, maxLabelsPerSeries: 64,
        maxBucketsPerHistogram: 128)
}
