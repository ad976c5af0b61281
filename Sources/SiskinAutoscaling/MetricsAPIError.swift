/// Why a metrics API request fails, as the Kubernetes `Status` it is answered
/// with: the HPA and `kubectl get --raw` show its message, and the aggregation
/// layer passes its code on.
public struct MetricsAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `reason` and `code` of the Status (`NotFound`/404, `BadRequest`/400…).
    public var reason: String
    public var code: Int
    public var message: String
    /// `details` of the Status: the object that was asked for.
    public var details: KubernetesStatus.Details?

    public init(reason: String, code: Int, message: String, details: KubernetesStatus.Details? = nil) {
        self.reason = reason
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code) \(reason): \(message)" }

    /// `<resource> "<name>" not found`, as the API server words it.
    public static func notFound(_ resource: String, _ name: String, group: String = "") -> MetricsAPIError {
        MetricsAPIError(reason: "NotFound", code: 404, message: "\(resource) \"\(name)\" not found",
                        details: .init(name: name, group: group, kind: resource))
    }

    /// The metric is unknown, or has no value for the object asked about.
    public static func metricNotFound(_ metric: String, for resource: String, _ name: String) -> MetricsAPIError {
        MetricsAPIError(reason: "NotFound", code: 404,
                        message: "the server could not find the metric \(metric) for \(resource) \(name)",
                        details: .init(name: metric, group: "", kind: resource))
    }

    public static func badRequest(_ message: String) -> MetricsAPIError {
        MetricsAPIError(reason: "BadRequest", code: 400, message: message)
    }

    public static func internalError(_ message: String) -> MetricsAPIError {
        MetricsAPIError(reason: "InternalError", code: 500, message: message)
    }

    /// The Status document to send.
    public var status: KubernetesStatus {
        KubernetesStatus(message: message, reason: reason, code: code, details: details)
    }
}
