import Foundation
import Logging
import ServiceLifecycle
import SiskinExport
import SiskinStore

/// Drives remote write while the server runs: every collect interval, the
/// slots completed behind the watermark go to the senders; on shutdown a
/// last collection and a save of the running totals, then the senders get a
/// few seconds to deliver. Collections encode batches and write the queue
/// on disk, so they run on a thread of their own, off the cooperative pool.
struct RemoteWriteService: Service {
    let database: Database
    let exporter: RemoteWriteExporter
    let logger: Logger

    func run() async throws {
        let tick = max(exporter.configuration.collectIntervalSeconds, 0.05)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(Int(tick * 1000)))
                }
            } catch {
                break
            }
            await offPool { exporter, database in exporter.tick(database: database, now: ServerClock.nowMilliseconds()) }
        }
        await offPool { exporter, database in
            exporter.tick(database: database, now: ServerClock.nowMilliseconds())
            exporter.saveTotals()
            exporter.shutdown(grace: 5)
        }
        logger.info("remote write stopped", metadata: ["sent": "\(exporter.statistics.map(\.samplesSent))"])
    }

    /// Runs `body` on the exporter's own serial queue and waits for it.
    private func offPool(_ body: @escaping @Sendable (RemoteWriteExporter, Database) -> Void) async {
        let exporter = exporter
        let database = database
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Self.queue.async {
                body(exporter, database)
                continuation.resume()
            }
        }
    }

    private static let queue = DispatchQueue(label: "siskin-remote-write-collect")
}
