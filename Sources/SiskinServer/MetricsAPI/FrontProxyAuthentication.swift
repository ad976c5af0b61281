import NIOSSL
import SiskinAutoscaling
import SiskinExposition

/// Who may call the metrics APIs: the Kubernetes aggregation layer, which
/// proxies the HPA's requests after authorising them itself, and proves it
/// with its front-proxy client certificate (the API server's
/// `--proxy-client-cert-file`, signed by `--requestheader-client-ca-file`).
/// As an aggregated API server is expected to, Siskin requires that
/// certificate on `/apis` and, when names are configured, its common name
/// among `--requestheader-allowed-names`; the kubelet's probes of
/// `/healthz`, `/readyz` and `/livez` need none.
public struct FrontProxyAuthentication: Sendable {
    /// The CA bundle client certificates must chain to (checked by the TLS handshake).
    public let clientCAs: [NIOSSLCertificate]
    /// Accepted common names; empty accepts any certificate the CA signed.
    public let allowedNames: [String]

    /// Reads the CA bundle (PEM, one or more certificates).
    public init(clientCAFile: String, allowedNames: [String]) throws {
        let bytes = try BodyReader.readAll(clientCAFile, limit: CertificateStore.maxFileBytes)
        let certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
        guard !certificates.isEmpty else { throw CertificateError("no certificate in \(clientCAFile)") }
        self.clientCAs = certificates
        self.allowedNames = allowedNames
    }

    /// Why a request with this verified peer certificate (nil: none was
    /// presented) may not be served, or nil when it may.
    func refusal(peer: NIOSSLCertificate?) -> MetricsAPIError? {
        guard let peer else {
            return MetricsAPIError(reason: "Unauthorized", code: 401,
                                   message: "a front-proxy client certificate is required: the metrics APIs answer "
                                       + "the Kubernetes aggregation layer (see docs/autoscaling.md)")
        }
        guard !allowedNames.isEmpty else { return nil }
        let name = (try? peer.toDERBytes()).flatMap(CertificateSubject.commonName(der:))
        if let name, allowedNames.contains(name) { return nil }
        return MetricsAPIError(reason: "Unauthorized", code: 401,
                               message: "client certificate common name \(name.map { "'\($0)'" } ?? "(none)") is not "
                                   + "among the allowed front-proxy names")
    }
}
