import Foundation
import SiskinAgent
import SiskinTesting

/// Real HTTP over loopback with libcurl, off the cooperative pool (curl
/// blocks), so tests never starve the server they talk to.
enum TestHTTP {
    struct Reply: Sendable {
        var status: Int
        var body: String
        var bytes: [UInt8]
    }

    static func send(_ request: HTTPRequest) async throws -> Reply {
        let reply = try await LoopbackHTTP.send(request)
        return Reply(status: reply.status, body: reply.text, bytes: reply.body)
    }

    /// Runs blocking work (a child process, libcurl) on its own thread.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await SiskinTesting.offPool(body)
    }

    static func get(_ url: String) async throws -> Reply {
        try await send(HTTPRequest(method: .get, url: url))
    }

    static func post(_ url: String, body: [UInt8], headers: [(String, String)]) async throws -> Reply {
        try await send(HTTPRequest(method: .post, url: url, headers: headers, body: body))
    }
}
