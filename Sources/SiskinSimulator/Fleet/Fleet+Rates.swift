/// Changing how much traffic flows while a fleet runs: a source that starts calling, a
/// ramp, a client that goes quiet.
///
/// Rates are read at every `advance`, so a change applies from the next interval on and
/// replays deterministically: the same seed and the same sequence of `advance`, `restart`
/// and rate changes give the same scrapes. `topology` keeps the rates the fleet was built
/// with; `requestsPerSecond(from:to:)` tells the current ones.
extension Fleet {
    /// Sets the mean requests per second of each HTTP edge from workload `source` to
    /// workload `destination` (over the whole workload pair, as `TrafficEdge` counts it;
    /// a pair with an HTTP and a gRPC edge gets the rate on both).
    /// A topology can declare an edge at 0 requests per second so its source appears in
    /// the middle of a run: its series are created with the first request, as in Envoy.
    /// Returns the number of edges changed (0 when no such edge exists).
    @discardableResult
    public mutating func setRequestsPerSecond(_ requestsPerSecond: Double, from source: String, to destination: String) -> Int {
        precondition(requestsPerSecond >= 0 && requestsPerSecond.isFinite, "rate must be finite and not negative")
        var changed = 0
        for index in httpPlans.indices {
            let edge = topology.edges[httpPlans[index].edgeIndex]
            guard edge.source == source, edge.destination == destination,
                let sourceWorkload = topology.workload(named: source),
                let destinationWorkload = topology.workload(named: destination)
            else { continue }
            httpPlans[index].ratePerPodPair =
                requestsPerSecond / Double(sourceWorkload.podCount * destinationWorkload.podCount)
            changed += 1
        }
        return changed
    }

    /// The current mean requests per second from `source` to `destination`, summed over
    /// their HTTP edges; nil when there is no such edge.
    public func requestsPerSecond(from source: String, to destination: String) -> Double? {
        var total: Double? = nil
        for plan in httpPlans {
            let edge = topology.edges[plan.edgeIndex]
            guard edge.source == source, edge.destination == destination,
                let sourceWorkload = topology.workload(named: source),
                let destinationWorkload = topology.workload(named: destination)
            else { continue }
            total = (total ?? 0) + plan.ratePerPodPair * Double(sourceWorkload.podCount * destinationWorkload.podCount)
        }
        return total
    }
}
