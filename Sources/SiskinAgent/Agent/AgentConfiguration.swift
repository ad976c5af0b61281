import SiskinAggregation

/// Everything `siskin-agent run` needs, resolved from flags and `SISKIN_*`
/// environment variables by the command line.
public struct AgentConfiguration: Sendable {
    public var scrapeURL: String = "http://127.0.0.1:15090/stats/prometheus"
    /// Envoy's `filter` regex (only families the rules need, plus the
    /// restart signal), and `usedonly`.
    public var scrapeFilter: String? = nil
    public var scrapeUsedOnly: Bool = false
    /// Aggregators' base URLs; the ingest path is appended.
    public var pushURLs: [String] = []
    public var intervalSeconds: Double = 5
    public var timeoutSeconds: Double = 4
    public var pod: String = ""
    public var namespace: String = ""
    public var podLabels: [Label] = []
    public var tokenFile: String? = nil
    /// CA bundle for https push URLs (`--ca-file`); the system's when nil.
    public var caFile: String? = nil
    public var rules: AggregationRules = .default
    /// Cache limits and the staleness window (in scrapes).
    public var aggregatorOptions = PodAggregator.Options()
    /// How long SIGTERM waits for the final scrape and push.
    public var shutdownGraceSeconds: Double = 5
    /// Where the loop's heartbeat goes, for `siskin-agent health`.
    public var statusFile: String? = "/tmp/siskin-agent.status"
    /// Longest wait between push retries; nil means two intervals. Full jitter
    /// over [0, two intervals] averages one interval, so a mesh retrying a down
    /// aggregator sends it about as many requests as its pushes would, and every
    /// agent is current again within two intervals of the aggregator's return
    /// (a restarted replica of an HA pair must not under-count for a minute).
    public var maxBackoffSeconds: Double? = nil

    /// The backoff cap in effect.
    public var effectiveMaxBackoffSeconds: Double { maxBackoffSeconds ?? 2 * intervalSeconds }
    /// Take the agent's code pages out of its resident set after warm-up
    /// (`CodePages`): start-up code stops counting against the pod.
    public var releaseCodePages: Bool = true
    /// Floor between retries after a 401/403.
    public var unauthorizedRetrySeconds: Double = 30

    public init() {}

    /// The `filter` regex that keeps exactly the families the rules aggregate
    /// and the restart signal, so Envoy prints nothing else.
    public static func envoyFilter(for rules: AggregationRules) -> String {
        var names = rules.rules.flatMap(\.families)
        if let signal = rules.restartSignal { names.append(signal) }
        let escaped = names.map { name in
            name.replacing(".", with: "\\.")
        }
        return "^(" + escaped.joined(separator: "|") + ")(_bucket|_sum|_count)?$"
    }
}
