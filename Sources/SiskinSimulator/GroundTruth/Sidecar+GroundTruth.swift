/// Ground truth: what really happened at this proxy, for checking aggregators.
///
/// Predicates are exact-match conditions on Istio label names (e.g.
/// `["reporter": "destination", "response_code": "503"]`); an empty predicate matches every
/// series and an unknown label name matches none. With `.sinceCreation` the answer
/// includes traffic from before any restart, which a scrape can no longer show.
extension Sidecar {
    /// Total requests (`istio_requests_total`) over the matching HTTP series.
    public func requests(matching predicate: [String: String] = [:], scope: TruthScope = .sinceCreation) -> UInt64 {
        let matcher = LabelMatcher(predicate)
        var total: UInt64 = 0
        for entry in http.entries where matcher.matches(entry.labels) {
            total &+= scope == .sinceCreation ? entry.lifetime.requests : entry.current.requests
        }
        return total
    }

    /// Requests and all three histograms, summed over the matching HTTP series.
    public func httpCounts(matching predicate: [String: String] = [:], scope: TruthScope = .sinceCreation) -> HTTPCounts {
        let matcher = LabelMatcher(predicate)
        var total = HTTPCounts()
        for entry in http.entries where matcher.matches(entry.labels) {
            total.add(scope == .sinceCreation ? entry.lifetime : entry.current)
        }
        return total
    }

    /// One histogram (per-bucket counts, `_count`, `_sum`) summed over the matching series.
    public func histogram(
        _ metric: IstioHistogram = .requestDuration, matching predicate: [String: String] = [:],
        scope: TruthScope = .sinceCreation
    ) -> HistogramCounts {
        let matcher = LabelMatcher(predicate)
        var total = HistogramCounts()
        for entry in http.entries where matcher.matches(entry.labels) {
            total.add((scope == .sinceCreation ? entry.lifetime : entry.current)[metric])
        }
        return total
    }

    /// The four TCP counters summed over the matching TCP series.
    public func tcpCounts(matching predicate: [String: String] = [:], scope: TruthScope = .sinceCreation) -> TCPCounts {
        let matcher = LabelMatcher(predicate)
        var total = TCPCounts()
        for entry in tcp.entries where matcher.matches(entry.labels) {
            total.add(scope == .sinceCreation ? entry.lifetime : entry.current)
        }
        return total
    }
}
