/// The three Istio HTTP histograms.
public enum IstioHistogram: String, Sendable, Hashable, CaseIterable {
    case requestDuration = "istio_request_duration_milliseconds"
    case requestBytes = "istio_request_bytes"
    case responseBytes = "istio_response_bytes"
}
