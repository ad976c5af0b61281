import Logging
import ServiceLifecycle

/// Checks the certificate files every `intervalSeconds` while the metrics
/// API runs, so a rotation is picked up within one interval.
struct CertificateReloadService: Service {
    let certificates: CertificateStore
    let intervalSeconds: Double
    let logger: Logger

    func run() async throws {
        var failing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(Int(max(intervalSeconds, 0.05) * 1000)))
                }
            } catch {
                break
            }
            do {
                if try certificates.reloadIfChanged() {
                    logger.notice("metrics API certificate reloaded", metadata: ["cert_file": "\(certificates.certificateFile)"])
                }
                failing = false
            } catch {
                // Logged once per failing stretch: a rotation in progress
                // can leave the pair briefly mismatched.
                if !failing {
                    logger.warning("cannot reload the metrics API certificate; still serving the previous one",
                                   metadata: ["error": "\(error)"])
                }
                failing = true
            }
        }
    }
}
