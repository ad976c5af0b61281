import Foundation
import SiskinAgent

/// Plain HTTP over loopback with libcurl, on a thread of its own (curl blocks, and the
/// cooperative pool must stay free for the rest of the test).
public enum LoopbackHTTP {
    public struct Reply: Sendable {
        public var status: Int
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }

        public init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }
    }

    public static func send(_ request: HTTPRequest) async throws -> Reply {
        try await offPool {
            try CurlEasy().perform(request) { response, body in Reply(status: response.status, body: Array(body)) }
        }
    }

    public static func get(_ url: String, timeout: Double = 10) async throws -> Reply {
        try await send(HTTPRequest(method: .get, url: url, timeoutSeconds: TestDeadlines.scaled(timeout)))
    }

    /// `application/x-www-form-urlencoded` POST, as Prometheus' Go client sends queries.
    public static func postForm(_ url: String, _ parameters: [(String, String)], timeout: Double = 10) async throws -> Reply {
        try await send(HTTPRequest(
            method: .post, url: url, headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array(formEncoded(parameters).utf8), timeoutSeconds: TestDeadlines.scaled(timeout)))
    }

    /// `a=1&b=2`, every byte outside RFC 3986's unreserved set percent-encoded.
    public static func formEncoded(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(percentEncoded($0.0))=\(percentEncoded($0.1))" }.joined(separator: "&")
    }

    public static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
