import Foundation
import Logging
import ServiceLifecycle
import SiskinExport
import SiskinStore

/// Drives remote write while the server runs: every collect interval, the
/// slots completed behind the watermark go to the senders; on shutdown a
/// last collection, then the senders get a few seconds to deliver.
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
            exporter.tick(database: database, now: ServerClock.nowMilliseconds())
        }
        exporter.tick(database: database, now: ServerClock.nowMilliseconds())
        // Blocking waits belong off the cooperative pool.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exporter = exporter
            Thread.detachNewThread {
                exporter.shutdown(grace: 5)
                continuation.resume()
            }
        }
        logger.info("remote write stopped", metadata: ["sent": "\(exporter.statistics.map(\.samplesSent))"])
    }
}
