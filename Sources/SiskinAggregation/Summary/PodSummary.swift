/// One pod's pre-aggregated, cumulative telemetry at one scrape: the unit the
/// agent pushes and the aggregator stores.
///
/// Everything in it is cumulative, so a newer summary supersedes an older one:
/// an agent that could not push for a while only needs to send its latest.
public struct PodSummary: Sendable, Hashable {
    /// Kubernetes pod name (downward API `POD_NAME`).
    public var pod: String
    /// Kubernetes namespace (downward API `POD_NAMESPACE`).
    public var namespace: String
    /// Pod labels (downward API labels file), for HPA label selectors.
    public var podLabels: [Label]
    /// Random id of the agent process. A new id means the agent restarted and
    /// its cumulative values started over.
    public var agentInstance: String
    /// Increases by one per summary an agent instance produces; makes retried
    /// pushes idempotent.
    public var sequence: UInt64
    /// Scrape time, milliseconds since the Unix epoch.
    public var timestampMilliseconds: Int64
    /// Free-form key/value metadata (agent version, self-telemetry), so later
    /// versions can carry more without changing the layout.
    public var metadata: [Label]
    public var families: [SummaryFamily]

    public init(
        pod: String, namespace: String, podLabels: [Label] = [], agentInstance: String,
        sequence: UInt64, timestampMilliseconds: Int64, metadata: [Label] = [],
        families: [SummaryFamily]
    ) {
        self.pod = pod
        self.namespace = namespace
        self.podLabels = podLabels
        self.agentInstance = agentInstance
        self.sequence = sequence
        self.timestampMilliseconds = timestampMilliseconds
        self.metadata = metadata
        self.families = families
    }

    /// Total number of output series over all families.
    public var seriesCount: Int { families.reduce(0) { $0 + $1.series.count } }
}
