import Foundation
import SiskinAgent

/// The result of one POST.
public enum PostResult: Sendable, Equatable {
    case response(status: Int, retryAfterSeconds: Double?)
    case failed(String)
}

/// Posts one compressed `WriteRequest`. One client per sender thread (libcurl
/// handles are not thread-safe); tests substitute their own.
public protocol RemoteWriteClient: AnyObject {
    func post(_ request: HTTPRequest) -> PostResult
}

/// The production client: the agent's libcurl handle (kept-alive connection,
/// https through libcurl's TLS), driven from the sender's own thread.
public final class CurlRemoteWriteClient: RemoteWriteClient {
    private let curl: CurlEasy?
    private let initError: String?

    public init() {
        do {
            curl = try CurlEasy()
            initError = nil
        } catch {
            curl = nil
            initError = "\(error)"
        }
    }

    public func post(_ request: HTTPRequest) -> PostResult {
        guard let curl else { return .failed(initError ?? "no libcurl handle") }
        do {
            return try curl.perform(request) { response, _ in
                .response(status: response.status, retryAfterSeconds: response.retryAfterSeconds)
            }
        } catch {
            return .failed("\(error)")
        }
    }
}

/// The remote-write request for one compressed batch.
enum RemoteWriteRequest {
    static let userAgent = "siskin/\(AgentVersion.current)"

    static func make(_ endpoint: RemoteWriteEndpoint, body: [UInt8], timeoutSeconds: Double) -> HTTPRequest {
        var headers: [(String, String)] = [
            ("Content-Encoding", "snappy"),
            ("Content-Type", "application/x-protobuf"),
            ("X-Prometheus-Remote-Write-Version", "0.1.0"),
        ]
        if let file = endpoint.bearerTokenFile, let token = secret(file) {
            headers.append(("Authorization", "Bearer \(token)"))
        } else if let user = endpoint.basicAuthUser {
            let password = endpoint.basicAuthPasswordFile.flatMap(secret) ?? ""
            headers.append(("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()))
        }
        return HTTPRequest(method: .post, url: endpoint.url, headers: headers, body: body,
                           timeoutSeconds: timeoutSeconds, connectTimeoutSeconds: min(timeoutSeconds, 10),
                           maxResponseBytes: 64 << 10, userAgent: userAgent, caFile: endpoint.caFile)
    }

    /// A secret file's first line, trimmed; nil when unreadable or empty.
    static func secret(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}
