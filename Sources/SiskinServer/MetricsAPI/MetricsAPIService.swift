import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle
import SiskinAutoscaling
import SiskinStore

/// The HTTPS server of the metrics APIs, run beside the main one by
/// `SiskinServer.application` (a service of it, so it starts and stops
/// with it).
struct MetricsAPIService: Service {
    let configuration: MetricsAPIConfiguration
    let database: Database
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    func run() async throws {
        let router = Router(context: MetricsAPIRequestContext.self)
        MetricsAPIRoutes(database: database, evaluator: MetricsEvaluator(catalogue: configuration.catalogue),
                         frontProxy: configuration.frontProxy)
            .register(on: router)
        let reload = FileReloadService(certificates: configuration.certificates, what: "metrics API certificate",
                                       intervalSeconds: configuration.certificateReloadSeconds, logger: logger)
        let app = Application(
            router: router,
            server: try .tls(.http1(), tlsConfiguration: configuration.certificates.tlsConfiguration(
                clientCAs: configuration.frontProxy?.clientCAs)),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "siskin"),
            services: [reload],
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
        try await app.run()
    }
}
