/// Everything Istio counts for one HTTP/gRPC label set: the request counter and the three
/// histograms. `_count` of each histogram always equals `requests`.
public struct HTTPCounts: Sendable, Hashable {
    /// `istio_requests_total`.
    public internal(set) var requests: UInt64
    /// `istio_request_duration_milliseconds`.
    public internal(set) var duration: HistogramCounts
    /// `istio_request_bytes`.
    public internal(set) var requestBytes: HistogramCounts
    /// `istio_response_bytes`.
    public internal(set) var responseBytes: HistogramCounts

    public init() {
        requests = 0
        duration = HistogramCounts()
        requestBytes = HistogramCounts()
        responseBytes = HistogramCounts()
    }

    /// Adds another set of counts.
    public mutating func add(_ other: HTTPCounts) {
        requests &+= other.requests
        duration.add(other.duration)
        requestBytes.add(other.requestBytes)
        responseBytes.add(other.responseBytes)
    }

    mutating func reset() {
        requests = 0
        duration.reset()
        requestBytes.reset()
        responseBytes.reset()
    }

    /// The histogram for `metric`.
    public subscript(metric: IstioHistogram) -> HistogramCounts {
        switch metric {
        case .requestDuration: duration
        case .requestBytes: requestBytes
        case .responseBytes: responseBytes
        }
    }
}
