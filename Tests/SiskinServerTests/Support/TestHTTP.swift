import Foundation
import SiskinAgent

/// Real HTTP over loopback with libcurl, off the cooperative pool (curl
/// blocks), so tests never starve the server they talk to.
enum TestHTTP {
    struct Reply: Sendable {
        var status: Int
        var body: String
        var bytes: [UInt8]
    }

    static func send(_ request: HTTPRequest) async throws -> Reply {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    let curl = try CurlEasy()
                    let reply = try curl.perform(request) { response, body in
                        Reply(status: response.status, body: String(decoding: body, as: UTF8.self), bytes: Array(body))
                    }
                    continuation.resume(returning: reply)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.start()
        }
    }

    /// Runs blocking work (a child process, libcurl) on its own thread.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    static func get(_ url: String) async throws -> Reply {
        try await send(HTTPRequest(method: .get, url: url))
    }

    static func post(_ url: String, body: [UInt8], headers: [(String, String)]) async throws -> Reply {
        try await send(HTTPRequest(method: .post, url: url, headers: headers, body: body))
    }
}
