import SiskinExposition
import SiskinWire

/// POSTs encoded summaries to one aggregator over a kept-alive connection.
public final class SummaryPusher {
    /// The full ingest URL (base URL plus `WireFormat.ingestPath`).
    public let url: String
    public var timeoutSeconds: Double
    private let tokenFile: String?
    /// CA bundle the aggregator's certificate must chain to (https URLs);
    /// the system's CAs when nil.
    public let caFile: String?
    private let curl: CurlEasy

    public init(baseURL: String, tokenFile: String?, timeoutSeconds: Double, caFile: String? = nil) throws(HTTPError) {
        self.caFile = caFile
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.url = base + WireFormat.ingestPath
        self.tokenFile = tokenFile
        self.timeoutSeconds = timeoutSeconds
        self.curl = try CurlEasy()
    }

    /// How a push ended, and what the agent should do about it.
    public enum Outcome: Sendable, Equatable {
        /// 2xx: the aggregator has it.
        case accepted
        /// 429 or 5xx or no answer: retry later (`Retry-After` if given).
        case retry(status: Int?, retryAfter: Double?, message: String)
        /// 401/403: wrong or missing token. Retried slowly: tokens rotate.
        case unauthorized(status: Int, message: String)
        /// The TLS handshake failed (the aggregator's certificate is not
        /// trusted, or the CA file is unusable). Retried with backoff: a
        /// certificate or CA bundle may be fixed without restarting the agent.
        case untrusted(message: String)
        /// Another 4xx: this body will never be accepted; drop it (the next
        /// summary supersedes it anyway).
        case rejected(status: Int, message: String)
    }

    /// Pushes `bytes` (a wire-format frame) carrying `sequence`.
    public func push(_ bytes: [UInt8], sequence: UInt64, agentInstance: String) -> Outcome {
        var headers: [(String, String)] = [
            ("Content-Type", WireFormat.contentType),
            // The frame compresses itself (zlib inside, see docs/wire-format.md);
            // intermediaries must pass it through untouched.
            ("Content-Encoding", "identity"),
            ("X-Siskin-Sequence", String(sequence)),
            ("X-Siskin-Agent-Instance", agentInstance),
        ]
        if let token = currentToken() { headers.append(("Authorization", "Bearer " + token)) }
        let request = HTTPRequest(
            method: .post, url: url, headers: headers, body: bytes,
            timeoutSeconds: timeoutSeconds, connectTimeoutSeconds: min(timeoutSeconds, 2), maxResponseBytes: 64 << 10,
            caFile: caFile)
        do {
            return try curl.perform(request) { response, body in
                let text = String(decoding: body.prefix(300), as: UTF8.self)
                switch response.status {
                case 200..<300: return .accepted
                case 401, 403: return .unauthorized(status: response.status, message: text)
                case 408, 429, 500...599:
                    return .retry(status: response.status, retryAfter: response.retryAfterSeconds, message: text)
                default: return .rejected(status: response.status, message: text)
                }
            }
        } catch let error as HTTPError where error.kind == .tls {
            return .untrusted(message: error.message)
        } catch {
            return .retry(status: nil, retryAfter: nil, message: "\(error)")
        }
    }

    /// Re-read on every push: projected service-account tokens rotate.
    private func currentToken() -> String? {
        guard let tokenFile, let bytes = try? BodyReader.readAll(tokenFile, limit: 64 << 10) else { return nil }
        let token = String(decoding: bytes, as: UTF8.self).trimmingScalars(in: " \t\r\n")
        return token.isEmpty ? nil : token
    }
}
