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
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, database: Database, metrics: ServerMetrics, task: Task<Void, any Error>, group: ServiceGroup) {
        self.group = group
        self.port = port
        self.database = database
        self.metrics = metrics
        self.task = task
    }

    static func start(configuration: ServerConfiguration = ServerConfiguration(), database: Database? = nil) async throws -> RunningServer {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let database = try database ?? Database(configuration: configuration.store, dataDirectory: nil)
        let metrics = ServerMetrics()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "siskin-under-test")
        logger.logLevel = .warning
        let app = SiskinServer.application(configuration: configuration, database: database, metrics: metrics,
                                           logger: logger) { continuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return RunningServer(port: port, database: database, metrics: metrics, task: task, group: group)
    }

    /// Graceful shutdown, as SIGTERM does: open connections finish first.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}
