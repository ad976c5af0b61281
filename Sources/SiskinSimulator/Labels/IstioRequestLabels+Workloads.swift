/// Building label sets from topology workloads, as the proxy derives them from peer metadata.
extension IstioRequestLabels {
    /// The labels a proxy prints for traffic from `source` to `destination`.
    init(
        reporter: String, source: Workload, destination: Workload, requestProtocol: String,
        responseCode: String, grpcResponseStatus: String, responseFlags: String, connectionSecurityPolicy: String
    ) {
        let service = destination.service
        let mutualTLS = connectionSecurityPolicy == "mutual_tls"
        self.init(
            reporter: reporter,
            sourceWorkload: source.name,
            sourceCanonicalService: source.canonicalService,
            sourceCanonicalRevision: source.canonicalRevision,
            sourceWorkloadNamespace: source.namespace,
            sourcePrincipal: mutualTLS ? source.principal : "unknown",
            sourceApp: source.app,
            sourceVersion: source.version,
            sourceCluster: source.cluster,
            destinationWorkload: destination.name,
            destinationWorkloadNamespace: destination.namespace,
            destinationPrincipal: mutualTLS ? destination.principal : "unknown",
            destinationApp: destination.app,
            destinationVersion: destination.version,
            destinationService: service?.fqdn ?? "unknown",
            destinationCanonicalService: destination.canonicalService,
            destinationCanonicalRevision: destination.canonicalRevision,
            destinationServiceName: service?.name ?? "unknown",
            destinationServiceNamespace: service?.namespace ?? destination.namespace,
            destinationCluster: destination.cluster,
            requestProtocol: requestProtocol,
            responseCode: responseCode,
            grpcResponseStatus: grpcResponseStatus,
            responseFlags: responseFlags,
            connectionSecurityPolicy: connectionSecurityPolicy)
    }
}
