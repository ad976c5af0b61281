import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import ServiceLifecycle
import SiskinExport
import SiskinIngest
import SiskinStore
import SiskinWire

/// `siskin serve` as a library: the Hummingbird application with every
/// route, over a `Database`. Tests run it on an ephemeral port.
public enum SiskinServer {
    /// Builds the application. `onListening` receives the bound port (useful
    /// with port 0); `onMetricsAPIListening` the HTTPS port of the metrics
    /// APIs, when `configuration.metricsAPI` turns them on.
    public static func application(
        configuration: ServerConfiguration, database: Database, metrics: ServerMetrics = ServerMetrics(),
        canaryHistory: CanaryHistory = CanaryHistory(), remoteWrite: RemoteWriteExporter? = nil,
        logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        onMetricsAPIListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        let site = WebSite.shared
        router.add(middleware: ReadAccessMiddleware(access: configuration.access, metrics: metrics, site: site))
        IngestRoutes(database: database, access: configuration.access,
                     intake: SummaryIntake(limits: configuration.limits, cache: StringCache()), metrics: metrics, logger: logger)
            .register(on: router)
        HealthRoutes(database: database, metrics: metrics, remoteWrite: remoteWrite).register(on: router)
        NativeQueryRoutes(database: database).register(on: router)
        PrometheusAPIRoutes(database: database).register(on: router)
        CanaryRoutes(database: database, history: canaryHistory, logger: logger).register(on: router)
        PageDataRoutes(database: database).register(on: router)
        WebRoutes(site: site).register(on: router)
        var services: [any Service] = [MaintenanceService(database: database, configuration: configuration, logger: logger)]
        let access = configuration.access
        if access.pushFile != nil || access.readFile != nil {
            services.append(FileReloadService(
                what: "token files", files: [access.pushFile, access.readFile].compactMap { $0 },
                intervalSeconds: configuration.fileReloadSeconds, logger: logger,
                reload: { try access.reloadIfChanged() }))
        }
        var server = HTTPServerBuilder.http1()
        if let tls = configuration.tls {
            services.append(FileReloadService(certificates: tls, what: "serving certificate",
                                              intervalSeconds: configuration.fileReloadSeconds, logger: logger))
            let tlsConfiguration = tls.tlsConfiguration()
            // HTTPServerBuilder.tls(...) is the same, but declared throwing.
            server = HTTPServerBuilder { responder in
                try TLSChannel(HTTP1Channel(responder: responder), tlsConfiguration: tlsConfiguration)
            }
        }
        if let metricsAPI = configuration.metricsAPI {
            services.append(MetricsAPIService(configuration: metricsAPI, database: database, logger: logger,
                                              onListening: onMetricsAPIListening))
        }
        if let remoteWrite {
            services.append(RemoteWriteService(database: database, exporter: remoteWrite, logger: logger))
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "siskin"),
            services: services,
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}
