/// Which Istio standard metrics a sidecar emits. Istio's Telemetry API can disable metrics
/// per proxy; the small preset uses that to mirror the fixture (requests and durations only).
public struct IstioMetricSet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `istio_requests_total`.
    public static let requests = IstioMetricSet(rawValue: 1 << 0)
    /// `istio_request_duration_milliseconds`.
    public static let requestDuration = IstioMetricSet(rawValue: 1 << 1)
    /// `istio_request_bytes`.
    public static let requestBytes = IstioMetricSet(rawValue: 1 << 2)
    /// `istio_response_bytes`.
    public static let responseBytes = IstioMetricSet(rawValue: 1 << 3)
    /// The four `istio_tcp_*` counters.
    public static let tcp = IstioMetricSet(rawValue: 1 << 4)

    /// Everything Istio emits by default.
    public static let all: IstioMetricSet = [.requests, .requestDuration, .requestBytes, .responseBytes, .tcp]
}
