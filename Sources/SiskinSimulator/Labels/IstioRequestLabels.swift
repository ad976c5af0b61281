/// The 25 labels of Istio's standard HTTP/gRPC metrics, in the order the proxy emits them.
///
/// Order matters: aggregators that skip label parsing key series by the raw label block,
/// and a real Envoy always prints these in this order. TCP metrics use the same set minus
/// `response_code` and `grpc_response_status` (see `tcpNames`).
public struct IstioRequestLabels: Sendable, Hashable {
    public var reporter: String
    public var sourceWorkload: String
    public var sourceCanonicalService: String
    public var sourceCanonicalRevision: String
    public var sourceWorkloadNamespace: String
    public var sourcePrincipal: String
    public var sourceApp: String
    public var sourceVersion: String
    public var sourceCluster: String
    public var destinationWorkload: String
    public var destinationWorkloadNamespace: String
    public var destinationPrincipal: String
    public var destinationApp: String
    public var destinationVersion: String
    public var destinationService: String
    public var destinationCanonicalService: String
    public var destinationCanonicalRevision: String
    public var destinationServiceName: String
    public var destinationServiceNamespace: String
    public var destinationCluster: String
    public var requestProtocol: String
    public var responseCode: String
    public var grpcResponseStatus: String
    public var responseFlags: String
    public var connectionSecurityPolicy: String

    /// Label names in the proxy's order.
    public static let names: [String] = [
        "reporter", "source_workload", "source_canonical_service", "source_canonical_revision",
        "source_workload_namespace", "source_principal", "source_app", "source_version",
        "source_cluster", "destination_workload", "destination_workload_namespace",
        "destination_principal", "destination_app", "destination_version", "destination_service",
        "destination_canonical_service", "destination_canonical_revision",
        "destination_service_name", "destination_service_namespace", "destination_cluster",
        "request_protocol", "response_code", "grpc_response_status", "response_flags",
        "connection_security_policy",
    ]

    /// Label names of the `istio_tcp_*` counters: the HTTP set without the two
    /// response-status labels, which a TCP proxy cannot know.
    public static let tcpNames: [String] = names.filter {
        $0 != "response_code" && $0 != "grpc_response_status"
    }

    /// Positions of `response_code` and `grpc_response_status` in `names`.
    static let httpOnlyIndices: Set<Int> = [21, 22]

    /// Creates a label set; every value is given explicitly, as the proxy always prints all.
    public init(
        reporter: String,
        sourceWorkload: String, sourceCanonicalService: String, sourceCanonicalRevision: String,
        sourceWorkloadNamespace: String, sourcePrincipal: String, sourceApp: String,
        sourceVersion: String, sourceCluster: String,
        destinationWorkload: String, destinationWorkloadNamespace: String,
        destinationPrincipal: String, destinationApp: String, destinationVersion: String,
        destinationService: String, destinationCanonicalService: String,
        destinationCanonicalRevision: String, destinationServiceName: String,
        destinationServiceNamespace: String, destinationCluster: String,
        requestProtocol: String, responseCode: String, grpcResponseStatus: String,
        responseFlags: String, connectionSecurityPolicy: String
    ) {
        self.reporter = reporter
        self.sourceWorkload = sourceWorkload
        self.sourceCanonicalService = sourceCanonicalService
        self.sourceCanonicalRevision = sourceCanonicalRevision
        self.sourceWorkloadNamespace = sourceWorkloadNamespace
        self.sourcePrincipal = sourcePrincipal
        self.sourceApp = sourceApp
        self.sourceVersion = sourceVersion
        self.sourceCluster = sourceCluster
        self.destinationWorkload = destinationWorkload
        self.destinationWorkloadNamespace = destinationWorkloadNamespace
        self.destinationPrincipal = destinationPrincipal
        self.destinationApp = destinationApp
        self.destinationVersion = destinationVersion
        self.destinationService = destinationService
        self.destinationCanonicalService = destinationCanonicalService
        self.destinationCanonicalRevision = destinationCanonicalRevision
        self.destinationServiceName = destinationServiceName
        self.destinationServiceNamespace = destinationServiceNamespace
        self.destinationCluster = destinationCluster
        self.requestProtocol = requestProtocol
        self.responseCode = responseCode
        self.grpcResponseStatus = grpcResponseStatus
        self.responseFlags = responseFlags
        self.connectionSecurityPolicy = connectionSecurityPolicy
    }

    /// The value at position `index` of `names`.
    public func value(at index: Int) -> String {
        switch index {
        case 0: reporter
        case 1: sourceWorkload
        case 2: sourceCanonicalService
        case 3: sourceCanonicalRevision
        case 4: sourceWorkloadNamespace
        case 5: sourcePrincipal
        case 6: sourceApp
        case 7: sourceVersion
        case 8: sourceCluster
        case 9: destinationWorkload
        case 10: destinationWorkloadNamespace
        case 11: destinationPrincipal
        case 12: destinationApp
        case 13: destinationVersion
        case 14: destinationService
        case 15: destinationCanonicalService
        case 16: destinationCanonicalRevision
        case 17: destinationServiceName
        case 18: destinationServiceNamespace
        case 19: destinationCluster
        case 20: requestProtocol
        case 21: responseCode
        case 22: grpcResponseStatus
        case 23: responseFlags
        case 24: connectionSecurityPolicy
        default: preconditionFailure("label index \(index) out of range")
        }
    }

    /// The value of the label called `name`, or nil if Istio has no such label.
    public subscript(name: String) -> String? {
        Self.indexByName[name].map(value(at:))
    }

    /// All 25 values in the proxy's order.
    public var values: [String] { (0..<25).map(value(at:)) }

    /// (name, value) pairs in the proxy's order, as printed on `istio_request*` lines.
    public var httpPairs: [(name: String, value: String)] {
        (0..<25).map { (Self.names[$0], value(at: $0)) }
    }

    /// (name, value) pairs without the response-status labels, as printed on `istio_tcp_*`.
    public var tcpPairs: [(name: String, value: String)] {
        (0..<25).filter { !Self.httpOnlyIndices.contains($0) }.map { (Self.names[$0], value(at: $0)) }
    }

    static let indexByName: [String: Int] = Dictionary(
        uniqueKeysWithValues: names.enumerated().map { ($1, $0) })

    /// Orders label sets the way the proxy orders series inside a family (by values in
    /// label order), so successive scrapes list series in a stable order.
    static func precedes(_ a: IstioRequestLabels, _ b: IstioRequestLabels) -> Bool {
        for index in 0..<25 {
            let x = a.value(at: index)
            let y = b.value(at: index)
            if x != y { return x.utf8.lexicographicallyPrecedes(y.utf8) }
        }
        return false
    }
}
