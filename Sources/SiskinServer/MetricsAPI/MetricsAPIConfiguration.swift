import SiskinAutoscaling

/// How `siskin serve` serves the Kubernetes metrics APIs: on their own HTTPS
/// address, as an aggregated API server is reached through an APIService.
public struct MetricsAPIConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var certificates: CertificateStore
    public var catalogue: MetricsCatalogue
    /// Seconds between checks of the certificate files.
    public var certificateReloadSeconds: Double
    /// Front-proxy client certificates required on `/apis`; nil serves anyone who reaches the port.
    public var frontProxy: FrontProxyAuthentication?

    public init(host: String = "0.0.0.0", port: Int = 6443, certificates: CertificateStore,
                catalogue: MetricsCatalogue = .builtIn(), certificateReloadSeconds: Double = 5,
                frontProxy: FrontProxyAuthentication? = nil) {
        self.host = host
        self.port = port
        self.certificates = certificates
        self.catalogue = catalogue
        self.certificateReloadSeconds = certificateReloadSeconds
        self.frontProxy = frontProxy
    }
}
