import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SiskinServer
import SiskinStore
import Synchronization

/// `siskin serve` in-process on an ephemeral loopback port.
final class RunningServer: Sendable {
    let port: Int
    let database: Database
    let metrics: ServerMetrics
    /// The HTTPS port of the metrics APIs, when the configuration has them.
    let metricsAPIPort: Int?
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// `https://localhost:<port>` (the test certificates name localhost).
    var metricsAPIURL: String { "https://localhost:\(metricsAPIPort ?? 0)" }

    private init(port: Int, metricsAPIPort: Int?, database: Database, metrics: ServerMetrics, task: Task<Void, any Error>,
                 group: ServiceGroup) {
        self.group = group
        self.metricsAPIPort = metricsAPIPort
        self.port = port
        self.database = database
        self.metrics = metrics
        self.task = task
    }

    static func start(configuration: ServerConfiguration = ServerConfiguration(), database: Database? = nil) async throws -> RunningServer {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.metricsAPI?.host = "127.0.0.1"
        configuration.metricsAPI?.port = 0
        let database = try database ?? Database(configuration: configuration.store, dataDirectory: nil)
        let metrics = ServerMetrics()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let (metricsAPIPorts, metricsAPIContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "siskin-under-test")
        logger.logLevel = .warning
        let app = SiskinServer.application(configuration: configuration, database: database, metrics: metrics,
                                           logger: logger, onListening: { continuation.yield($0) },
                                           onMetricsAPIListening: { metricsAPIContinuation.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        var metricsAPIPort: Int? = nil
        if configuration.metricsAPI != nil {
            var metricsIterator = metricsAPIPorts.makeAsyncIterator()
            metricsAPIPort = await metricsIterator.next()
        }
        return RunningServer(port: port, metricsAPIPort: metricsAPIPort, database: database, metrics: metrics, task: task,
                             group: group)
    }

    /// Graceful shutdown, as SIGTERM does: open connections finish first.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
