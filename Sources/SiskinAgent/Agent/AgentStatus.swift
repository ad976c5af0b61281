import SiskinExposition

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The loop's heartbeat file, read by `siskin-agent health` (an exec probe):
/// keeps the agent free of any listener of its own.
public struct AgentStatus: Sendable, Equatable {
    public var heartbeatMilliseconds: Int64
    public var lastScrapeOKMilliseconds: Int64?
    public var lastPushOKMilliseconds: Int64?
    public var envoyUp: Bool
    public var pushesFailing: Bool
    public var lastError: String?

    /// `key=value` lines, written to a temporary file and renamed, so a probe
    /// never reads half a file. Returns why it could not be written, if so.
    @discardableResult
    public func write(to path: String) -> String? {
        var text = "heartbeat_ms=\(heartbeatMilliseconds)\n"
        if let lastScrapeOKMilliseconds { text += "last_scrape_ok_ms=\(lastScrapeOKMilliseconds)\n" }
        if let lastPushOKMilliseconds { text += "last_push_ok_ms=\(lastPushOKMilliseconds)\n" }
        text += "envoy=\(envoyUp ? "up" : "down")\n"
        text += "push=\(pushesFailing ? "failing" : "ok")\n"
        if let lastError { text += "last_error=\(lastError.replacing("\n", with: " ").prefix(300))\n" }
        let temporary = path + ".tmp"
        do {
            try BodyWriter.write(Array(text.utf8), to: temporary)
            guard rename(temporary, path) == 0 else {
                return "\(path): rename failed (errno \(errno))"
            }
            return nil
        } catch {
            // A full or read-only disk must not stop the agent; the probe will
            // see a stale heartbeat, and the agent logs why (once).
            return "\(error)"
        }
    }

    public static func read(from path: String) throws -> AgentStatus {
        let text = String(decoding: try BodyReader.readAll(path, limit: 64 << 10), as: UTF8.self)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard let heartbeat = values["heartbeat_ms"].flatMap({ Int64($0) }) else {
            throw BodyReader.Error(description: "\(path): no heartbeat")
        }
        return AgentStatus(
            heartbeatMilliseconds: heartbeat,
            lastScrapeOKMilliseconds: values["last_scrape_ok_ms"].flatMap { Int64($0) },
            lastPushOKMilliseconds: values["last_push_ok_ms"].flatMap { Int64($0) },
            envoyUp: values["envoy"] == "up", pushesFailing: values["push"] == "failing",
            lastError: values["last_error"])
    }
}
