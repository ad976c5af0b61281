import Hummingbird
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
        IngestRoutes(database: database, tokens: configuration.tokens,
                     intake: SummaryIntake(limits: configuration.limits, cache: StringCache()), metrics: metrics, logger: logger)
            .register(on: router)
        HealthRoutes(database: database, metrics: metrics, remoteWrite: remoteWrite).register(on: router)
        NativeQueryRoutes(database: database).register(on: router)
        PrometheusAPIRoutes(database: database).register(on: router)
        CanaryRoutes(database: database, history: canaryHistory, logger: logger).register(on: router)
        PageDataRoutes(database: database).register(on: router)
        WebRoutes(site: .shared).register(on: router)
        var services: [any Service] = [MaintenanceService(database: database, configuration: configuration, logger: logger)]
        if let metricsAPI = configuration.metricsAPI {
            services.append(MetricsAPIService(configuration: metricsAPI, database: database, logger: logger,
                                              onListening: onMetricsAPIListening))
        }
        if let remoteWrite {
            services.append(RemoteWriteService(database: database, exporter: remoteWrite, logger: logger))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "siskin"),
            services: services,
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}
