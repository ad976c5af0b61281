import Foundation
import SiskinTesting

/// The real `siskin serve` binary on an ephemeral loopback port.
///
/// Unchecked Sendable: its state is set once in `init`, and `Process` may be
/// signalled and waited for from any thread.
final class ServeProcess: @unchecked Sendable {
    let process: Process
    let port: Int
    let dataDirectory: String
    let logPath: String

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts `siskin serve` on `port` (0: an ephemeral one, read from its
    /// log); a restart passes the port it had, so agents find it again.
    init(dataDirectory: String, arguments: [String] = [], environment: [String: String] = [:], port: Int = 0) throws {
        self.dataDirectory = dataDirectory
        logPath = dataDirectory + ".log"
        // Each start logs afresh (the port is read from this start's lines);
        // the previous start's log is kept beside it.
        try? FileManager.default.removeItem(atPath: logPath + ".previous")
        try? FileManager.default.moveItem(atPath: logPath, toPath: logPath + ".previous")
        let process = try BuiltExecutable.start(
            "siskin", ["serve", "--listen", "127.0.0.1:\(port)", "--data-dir", dataDirectory] + arguments,
            stdout: dataDirectory + ".out", stderr: logPath, environment: environment)
        self.process = process
        var found: Int? = nil
        let logPath = self.logPath
        _ = waitUntil(timeout: 30) {
            found = ServeProcess.listeningPort(in: (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
            return found != nil || !process.isRunning
        }
        guard let found else {
            process.terminate()
            throw StartFailed(log: (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
        }
        self.port = found
    }

    /// Starts it off the cooperative pool: waiting for the port blocks, and
    /// a blocked pool thread starves in-process servers of parallel tests.
    static func start(dataDirectory: String, arguments: [String] = [], environment: [String: String] = [:], port: Int = 0) async throws
        -> ServeProcess {
        try await TestHTTP.offPool {
            try ServeProcess(dataDirectory: dataDirectory, arguments: arguments, environment: environment, port: port)
        }
    }

    struct StartFailed: Error, CustomStringConvertible {
        var log: String
        var description: String { "siskin serve did not start: \(log)" }
    }

    static func listeningPort(in log: String) -> Int? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("listening address=") }),
              let range = line.range(of: "address=127.0.0.1:")
        else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// The metrics APIs' HTTPS port, from the log line announcing it.
    static func metricsAPIPort(in log: String) -> Int? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("https_address=127.0.0.1:") }),
              let range = line.range(of: "https_address=127.0.0.1:")
        else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// SIGTERM and wait: a clean shutdown.
    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// SIGKILL: no chance to snapshot or flush.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}
