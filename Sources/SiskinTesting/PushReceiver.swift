import Foundation
import SiskinAggregation
import SiskinSimulator
import SiskinSync
import SiskinWire
import Synchronization

/// A stand-in aggregator for agent tests: a real HTTP listener on loopback
/// that decodes pushes with the same wire code the aggregator uses, and can
/// be told to refuse them in the ways a real one might.
public final class PushReceiver: Sendable {
    /// How the receiver answers pushes.
    public enum Mode: Sendable, Equatable {
        case accept
        /// 503 with no Retry-After.
        case unavailable
        /// 429 with `Retry-After: seconds`.
        case tooManyRequests(retryAfter: Int)
        /// 401 whatever the token.
        case unauthorized
    }

    /// One accepted push.
    public struct Push: Sendable {
        public var summary: PodSummary
        public var headers: [String: String]
        public var bytes: Int
        public var receivedAt: ContinuousClock.Instant
    }

    private let core: Core
    private let server: MiniHTTPServer

    /// Listens on an ephemeral loopback port; `baseURL` is what the agent's
    /// `--push-url` takes.
    public init(expectedToken: String? = nil) throws {
        let core = Core(expectedToken: expectedToken)
        self.core = core
        self.server = try MiniHTTPServer { request in core.handle(request) }
    }

    public var baseURL: String { "http://127.0.0.1:\(server.port)" }

    public func setMode(_ mode: Mode) { core.state.locked { $0.mode = mode } }
    public var pushes: [Push] { core.state.locked { $0.pushes } }
    public var attempts: [ContinuousClock.Instant] { core.state.locked { $0.attempts } }
    public var rejectedBodies: Int { core.state.locked { $0.rejectedBodies } }
    public var lastSummary: PodSummary? { pushes.last?.summary }

    /// Connections accepted so far (keep-alive checks).
    public var connectionsAccepted: Int { server.connectionsAccepted }

    public func stop() { server.stop() }
}

/// The receiver's state and request handling, shared with the listener.
private final class Core: Sendable {
    struct State: Sendable {
        var mode: PushReceiver.Mode = .accept
        var pushes: [PushReceiver.Push] = []
        var attempts: [ContinuousClock.Instant] = []
        var rejectedBodies = 0
    }

    let state = Mutex(State())
    let expectedToken: String?

    init(expectedToken: String?) { self.expectedToken = expectedToken }

    func handle(_ request: MiniHTTPServer.Request) -> MiniHTTPServer.Response {
        guard request.method == "POST", request.path == WireFormat.ingestPath else { return .empty(404) }
        let mode = state.locked { state -> PushReceiver.Mode in
            state.attempts.append(.now)
            return state.mode
        }
        switch mode {
        case .accept: break
        case .unavailable: return .empty(503)
        case .tooManyRequests(let seconds):
            return MiniHTTPServer.Response(status: 429, headers: [("Retry-After", String(seconds))])
        case .unauthorized: return MiniHTTPServer.Response(status: 401, text: "bad token")
        }
        if let expectedToken, request.header("authorization") != "Bearer " + expectedToken {
            return MiniHTTPServer.Response(status: 401, text: "bad token")
        }
        guard request.header("content-type") == WireFormat.contentType,
              let summary = try? SummaryDecoder().decode(request.body)
        else {
            state.locked { $0.rejectedBodies += 1 }
            return MiniHTTPServer.Response(status: 400, text: "not a summary")
        }
        let push = PushReceiver.Push(summary: summary, headers: request.headers, bytes: request.body.count, receivedAt: .now)
        state.locked { $0.pushes.append(push) }
        return .empty(204)
    }
}

/// Polls `condition` until it holds or `timeout` (scaled by `TestDeadlines`) passes.
/// It blocks its thread: async tests use `waitUntilAsync`, which leaves the
/// cooperative pool (two threads on a two-core machine) to the servers under test.
public func waitUntil(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(TestDeadlines.scaled(timeout) * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// Polls `condition` every `every` seconds until it holds or `timeout` (scaled by
/// `TestDeadlines`) passes, suspending in between instead of blocking a thread.
public func waitUntilAsync(timeout: Double = 15, every: Double = 0.05, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(TestDeadlines.scaled(timeout) * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(Int(every * 1000)))
    }
    return await condition()
}
