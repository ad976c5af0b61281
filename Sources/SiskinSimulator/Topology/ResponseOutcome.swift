/// One way a request can end: the `response_code`, `grpc_response_status` and
/// `response_flags` it is reported with, and how often it happens relative to its siblings.
///
/// Each distinct outcome of each edge becomes its own series, so the outcome lists are
/// what drives the size of a scrape.
public struct ResponseOutcome: Sendable, Hashable {
    /// HTTP status, e.g. "200", "503".
    public var responseCode: String
    /// gRPC status for gRPC edges; nil derives it from the HTTP code (200 → "0",
    /// 404 → "5", 503 → "14", ...). Always printed empty on plain HTTP edges.
    public var grpcStatus: String?
    /// Envoy response flags: "-" normally, "UF" (upstream connect failure), "URX" (retry
    /// limit exceeded), "UH" (no healthy upstream), ...
    public var responseFlags: String
    /// Relative weight among the edge's success outcomes or among its error outcomes.
    public var weight: Double
    /// False when the request never reached the destination proxy (UF, UH, NR): then only
    /// the source proxy reports it, exactly like a real mesh.
    public var reachesDestination: Bool
    /// Multiplies the edge's latency for this outcome (a connect failure fails fast).
    public var latencyScale: Double
    /// Overrides the edge's response size (Envoy's own error bodies are ~90 bytes).
    public var responseSize: LogNormalDistribution?

    public init(
        responseCode: String,
        grpcStatus: String? = nil,
        responseFlags: String = "-",
        weight: Double = 1,
        reachesDestination: Bool = true,
        latencyScale: Double = 1,
        responseSize: LogNormalDistribution? = nil
    ) {
        precondition(weight >= 0 && latencyScale > 0)
        self.responseCode = responseCode
        self.grpcStatus = grpcStatus
        self.responseFlags = responseFlags
        self.weight = weight
        self.reachesDestination = reachesDestination
        self.latencyScale = latencyScale
        self.responseSize = responseSize
    }

    /// 200 OK.
    public static func ok(weight: Double = 1) -> Self { Self(responseCode: "200", weight: weight) }

    /// 404 Not Found (a client error: counted as success for the edge's error share).
    public static func notFound(weight: Double = 1) -> Self { Self(responseCode: "404", weight: weight) }

    /// 500 returned by the application.
    public static func internalError(weight: Double = 1) -> Self {
        Self(responseCode: "500", weight: weight)
    }

    /// 503 returned by the application (e.g. overloaded).
    public static func unavailable(weight: Double = 1) -> Self {
        Self(responseCode: "503", weight: weight)
    }

    /// 503 UF: the source proxy could not connect upstream; the destination never saw it.
    public static func upstreamConnectFailure(weight: Double = 1) -> Self {
        Self(
            responseCode: "503", responseFlags: "UF", weight: weight, reachesDestination: false,
            latencyScale: 0.1, responseSize: .bytes(median: 91, p99: 95))
    }

    /// 503 URX: retries exhausted; the destination saw (and failed) the attempts.
    public static func retriesExhausted(weight: Double = 1) -> Self {
        Self(
            responseCode: "503", responseFlags: "URX", weight: weight, latencyScale: 3,
            responseSize: .bytes(median: 91, p99: 95))
    }

    /// The (`response_code`, `grpc_response_status`) pair printed for this outcome on an
    /// edge of `requestProtocol`. gRPC carries application errors in trailers, so an
    /// application-level 404/500 on a gRPC edge prints HTTP 200 with gRPC status 5/13; errors
    /// Envoy generates itself (response flags other than "-") keep their HTTP code.
    public func printedStatus(for requestProtocol: RequestProtocol) -> (responseCode: String, grpcStatus: String) {
        guard requestProtocol == .grpc else { return (responseCode, "") }
        let status = grpcStatus ?? Self.grpcStatus(forHTTPCode: responseCode)
        return (responseFlags == "-" ? "200" : responseCode, status)
    }

    /// The gRPC status code conventionally matching an HTTP status.
    static func grpcStatus(forHTTPCode code: String) -> String {
        switch code {
        case "200": "0"
        case "400": "3"
        case "401": "16"
        case "403": "7"
        case "404": "5"
        case "429": "8"
        case "500": "13"
        case "501": "12"
        case "503": "14"
        case "504": "4"
        default: "2"
        }
    }
}
