import Logging
import ServiceLifecycle

/// Re-reads files that are replaced in place while the server runs (a
/// Kubernetes Secret's projected files: serving certificates rotated by
/// cert-manager, token files), every `intervalSeconds`, so a change is picked
/// up within one interval without a restart. `reload` re-reads and returns
/// true when it installed something new; when it throws, the previous
/// contents stay in use.
struct FileReloadService: Service {
    /// What is reloaded, for the log ("metrics API certificate", "token files").
    let what: String
    /// The files, for the log.
    let files: [String]
    let intervalSeconds: Double
    let logger: Logger
    let reload: @Sendable () throws -> Bool

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
                if try reload() {
                    logger.notice("\(what) reloaded", metadata: ["files": "\(files.joined(separator: ","))"])
                }
                if failing { logger.notice("\(what) readable again", metadata: ["files": "\(files.joined(separator: ","))"]) }
                failing = false
            } catch {
                // Logged once per failing stretch: a rotation in progress
                // can leave files briefly half-written or mismatched.
                if !failing {
                    logger.warning("cannot reload the \(what); still using the previous one",
                                   metadata: ["files": "\(files.joined(separator: ","))", "error": "\(error)"])
                }
                failing = true
            }
        }
    }
}

extension FileReloadService {
    /// Reloads a serving certificate and key.
    init(certificates: CertificateStore, what: String, intervalSeconds: Double, logger: Logger) {
        self.init(what: what, files: [certificates.certificateFile, certificates.keyFile], intervalSeconds: intervalSeconds,
                  logger: logger, reload: { try certificates.reloadIfChanged() })
    }
}
