/// One remote-write receiver and how to authenticate to it.
public struct RemoteWriteEndpoint: Sendable, Hashable {
    public var url: String
    /// A file holding a bearer token, re-read for every request (rotations
    /// need no restart).
    public var bearerTokenFile: String?
    /// Basic auth: user, and a file holding the password (re-read likewise).
    public var basicAuthUser: String?
    public var basicAuthPasswordFile: String?
    /// CA bundle for https receivers with a private CA (the system's
    /// otherwise).
    public var caFile: String?

    public init(url: String, bearerTokenFile: String? = nil, basicAuthUser: String? = nil,
                basicAuthPasswordFile: String? = nil, caFile: String? = nil) {
        self.url = url
        self.bearerTokenFile = bearerTokenFile
        self.basicAuthUser = basicAuthUser
        self.basicAuthPasswordFile = basicAuthPasswordFile
        self.caFile = caFile
    }

    /// The URL without credentials, for logs and metric labels.
    public var redactedURL: String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<scheme.upperBound]) + String(rest[rest.index(after: at)...])
    }
}

/// Everything remote write is configured with (`siskin serve --remote-write…`).
public struct RemoteWriteConfiguration: Sendable, Hashable {
    public var endpoints: [RemoteWriteEndpoint]
    public var selection: ExportSelection
    /// Added to every series (unless it has the label already): e.g.
    /// `cluster=prod`, `__replica__=siskin-0` for an HA pair deduplicated by
    /// Mimir's or Cortex' HA tracker.
    public var externalLabels: [ExportLabel]
    /// Time between a series' samples (a multiple of the slot is best; at
    /// most one sample per slot). Counters stay exact at any interval; it
    /// sets the resolution of `rate()` on the receiver, like a scrape
    /// interval.
    public var intervalSeconds: Double
    /// Parallel senders per endpoint; a series always goes to the same shard,
    /// so its samples arrive in order.
    public var shards: Int
    /// Most samples in one request.
    public var maxSamplesPerSend: Int
    /// Most samples waiting per shard; beyond it the oldest are dropped and
    /// counted (counters are cumulative: a dropped sample leaves a gap, the
    /// next one carries the total).
    public var queueCapacity: Int
    /// Most bytes queued on disk per endpoint (all shards), when the server
    /// has a data directory; beyond it the oldest segment is dropped and
    /// counted. In memory, `queueCapacity` bounds the queue instead.
    public var queueMaxBytes: Int64
    /// How often the running totals are saved next to the queue (and at
    /// shutdown), so a restart continues the exported counters instead of
    /// resetting them. A restart re-collects the slots since the last save
    /// from the store, which keeps them for `--detail-retention`.
    public var checkpointIntervalSeconds: Double
    /// Per-request limit.
    public var timeoutSeconds: Double
    public var minBackoffSeconds: Double
    public var maxBackoffSeconds: Double
    /// How often completed slots are collected from the store.
    public var collectIntervalSeconds: Double

    public init(
        endpoints: [RemoteWriteEndpoint], selection: ExportSelection = ExportSelection(),
        externalLabels: [ExportLabel] = [], intervalSeconds: Double = 15, shards: Int = 4, maxSamplesPerSend: Int = 5000,
        queueCapacity: Int = 250_000, queueMaxBytes: Int64 = RemoteWriteConfiguration.defaultQueueMaxBytes,
        checkpointIntervalSeconds: Double = 60, timeoutSeconds: Double = 30, minBackoffSeconds: Double = 0.5,
        maxBackoffSeconds: Double = 30, collectIntervalSeconds: Double = 1
    ) {
        self.endpoints = endpoints
        self.selection = selection
        self.externalLabels = externalLabels
        self.intervalSeconds = max(0, intervalSeconds)
        self.shards = max(1, shards)
        self.maxSamplesPerSend = max(1, maxSamplesPerSend)
        self.queueCapacity = max(self.maxSamplesPerSend, queueCapacity)
        self.queueMaxBytes = max(1, queueMaxBytes)
        self.checkpointIntervalSeconds = checkpointIntervalSeconds
        self.timeoutSeconds = timeoutSeconds
        self.minBackoffSeconds = minBackoffSeconds
        self.maxBackoffSeconds = max(minBackoffSeconds, maxBackoffSeconds)
        self.collectIntervalSeconds = collectIntervalSeconds
    }

    /// 256 MiB per endpoint: at ≈ 71 bytes per sample after snappy, about
    /// 3.8 million samples, ≈ 2.8 minutes of a 1,000-pod fleet at the
    /// defaults (docs/scaling.md).
    public static let defaultQueueMaxBytes: Int64 = 256 << 20

    /// Parses a byte size: digits with an optional `KiB`, `MiB` or `GiB`
    /// (or `K`, `M`, `G`, the same powers of 1,024); nil otherwise.
    public static func byteSize(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30)]
        var digits = Substring(text)
        var scale: Int64 = 1
        for (suffix, value) in units where text.hasSuffix(suffix) {
            digits = text.dropLast(suffix.count)
            scale = value
            break
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int64(digits) else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }

    /// Parses `name=value` (an external label).
    public static func label(_ text: String) -> ExportLabel? {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { return nil }
        let name = String(text[..<eq])
        let value = String(text[text.index(after: eq)...])
        guard Self.isLabelName(name), !value.isEmpty else { return nil }
        return ExportLabel(name, value)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, Prometheus' label name syntax.
    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (first | 0x20) >= UInt8(ascii: "a") && (first | 0x20) <= UInt8(ascii: "z") else { return false }
        return name.utf8.allSatisfy { c in
            c == UInt8(ascii: "_") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || ((c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z"))
        }
    }
}
