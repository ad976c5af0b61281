import Hummingbird
import Logging
import ServiceLifecycle
import SiskinServer
import SiskinStore

/// `siskin serve` in this process, exactly as the command builds it (same
/// application, routes and maintenance), on a loopback port.
final class DemoServer: Sendable {
    let port: Int
    let host: String
    let database: Database
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var baseURL: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    private init(host: String, port: Int, database: Database, group: ServiceGroup, task: Task<Void, any Error>) {
        self.host = host
        self.port = port
        self.database = database
        self.group = group
        self.task = task
    }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    static func start(configuration: ServerConfiguration, database: Database, logger: Logger) async throws -> DemoServer {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = SiskinServer.application(configuration: configuration, database: database, logger: logger) {
            continuation.yield($0)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            let reason: String
            switch await task.result {
            case .failure(let error): reason = "\(error)"
            case .success: reason = "it stopped before listening"
            }
            throw StartFailure(description: "siskin serve did not start on \(configuration.host):\(configuration.port): \(reason)")
        }
        let host = configuration.host == "0.0.0.0" || configuration.host == "::" ? "127.0.0.1" : configuration.host
        return DemoServer(host: host, port: port, database: database, group: group, task: task)
    }

    /// Graceful shutdown, as SIGTERM does, then a last flush of the push log.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
        database.flush()
    }
}
