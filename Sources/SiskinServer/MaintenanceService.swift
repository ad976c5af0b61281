import Logging
import ServiceLifecycle
import SiskinStore

/// Background upkeep of the store while the server runs: drops stale pods,
/// flushes the push log, writes snapshots; and a last snapshot on shutdown,
/// so a clean restart replays nothing.
struct MaintenanceService: Service {
    let database: Database
    let configuration: ServerConfiguration
    let logger: Logger

    func run() async throws {
        var sinceSnapshot = 0.0
        let tick = max(configuration.maintenanceIntervalSeconds, 0.05)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await gracefulSleep(seconds: tick)
            } catch {
                break
            }
            let now = ServerClock.nowMilliseconds()
            let dropped = database.expire(now: now)
            if dropped > 0 { logger.info("dropped stale pods", metadata: ["pods": "\(dropped)"]) }
            database.flush()
            sinceSnapshot += tick
            if sinceSnapshot >= configuration.snapshotIntervalSeconds {
                sinceSnapshot = 0
                snapshot(now: now)
            }
        }
        snapshot(now: ServerClock.nowMilliseconds())
    }

    /// Sleeps, cut short by graceful shutdown or cancellation.
    private func gracefulSleep(seconds: Double) async throws {
        try await cancelWhenGracefulShutdown {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        }
    }

    private func snapshot(now: Int64) {
        do {
            try database.snapshot(now: now)
        } catch {
            logger.error("snapshot failed; serving from memory", metadata: ["error": "\(error)"])
        }
    }
}
