import SiskinAggregation

/// The agent's own health numbers: logged, written to the status file, and
/// carried in every summary's metadata so the aggregator can show per-pod
/// agent health.
public struct AgentTelemetry: Sendable {
    public var scrapes = 0
    public var scrapeFailures = 0
    public var consecutiveScrapeFailures = 0
    public var parseErrors = 0
    public var envoyRestarts = 0
    public var pushes = 0
    public var pushFailures = 0
    public var pushBytes = 0
    /// Unsent summaries replaced by a newer one (the aggregator was away).
    public var superseded = 0
    public var lastScrapeBytes = 0
    public var lastScrapeWireBytes = 0
    public var lastScrapeSeconds = 0.0
    public var lastSummaryBytes = 0
    public var lastScrapeOK: Int64? = nil
    public var lastPushOK: Int64? = nil
    public var lastError: String? = nil

    func metadata(rawSeries: Int) -> [Label] {
        var labels = [
            Label("agent_version", AgentVersion.current),
            Label("agent_scrapes_total", String(scrapes)),
            Label("agent_scrape_failures_total", String(scrapeFailures)),
            Label("agent_parse_errors_total", String(parseErrors)),
            Label("agent_envoy_restarts_total", String(envoyRestarts)),
            Label("agent_pushes_total", String(pushes)),
            Label("agent_push_failures_total", String(pushFailures)),
            Label("agent_push_bytes_total", String(pushBytes)),
            Label("agent_superseded_total", String(superseded)),
            Label("agent_scrape_bytes", String(lastScrapeBytes)),
            Label("agent_scrape_wire_bytes", String(lastScrapeWireBytes)),
            Label("agent_scrape_seconds", String(lastScrapeSeconds)),
            Label("agent_raw_series", String(rawSeries)),
        ]
        if let lastError { labels.append(Label("agent_last_error", String(lastError.prefix(200)))) }
        return labels
    }
}
