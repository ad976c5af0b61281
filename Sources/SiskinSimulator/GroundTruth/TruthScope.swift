/// Which window a ground-truth query covers.
public enum TruthScope: Sendable, Hashable {
    /// Everything since the simulator was created, surviving Envoy restarts: the true
    /// amount of traffic, which an aggregator must reconstruct from reset counters.
    case sinceCreation
    /// Only since the last restart: exactly what the current scrape shows.
    case sinceRestart
}
