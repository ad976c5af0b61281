import Hummingbird
import SiskinExport
import SiskinStore

/// Kubernetes probes and self-metrics.
struct HealthRoutes: Sendable {
    let database: Database
    let metrics: ServerMetrics
    let remoteWrite: RemoteWriteExporter?

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in
            IngestRoutes.text(.ok, "ok\n")
        }
        // Ready when the state is loaded and persistence works; a full disk
        // makes it not ready (the server keeps serving from memory).
        router.get("/readyz") { _, _ in
            let status = database.persistence
            if status.isHealthy { return IngestRoutes.text(.ok, "ready\n") }
            return IngestRoutes.text(.serviceUnavailable, "not ready: persistence degraded: \(status.summary)\n")
        }
        router.get("/metrics") { _, _ in
            let now = ServerClock.nowMilliseconds()
            database.read { metrics.observe($0, now: now) }
            metrics.observePersistence(database.persistence)
            if let remoteWrite { metrics.observe(remoteWrite, now: now) }
            var buffer: [UInt8] = []
            metrics.registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}
