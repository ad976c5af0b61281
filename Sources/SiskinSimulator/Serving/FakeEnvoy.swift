import SiskinSync
import Synchronization

/// A simulated Envoy admin listener (`:15090`) on 127.0.0.1: serves the focus pod of a
/// `Fleet` on `GET /stats/prometheus`, and lets tests drive the proxy (advance traffic,
/// restart Envoy, take the listener down, hang responses) while reading the ground truth.
///
/// - `GET /stats/prometheus` → 200, `text/plain; version=0.0.4; charset=utf-8`, body =
///   `render()`. With `Accept-Encoding: gzip` and a `gzip` encoder given at creation, the
///   body is compressed and marked `Content-Encoding: gzip`. Query parameters `usedonly`
///   and `filter=<regex>` behave as described on `ExpositionFilter` (an invalid pattern
///   → 400, as in Envoy).
/// - Any other path → 404; another method on that path → 405.
///
/// The body is rendered once per change of the fleet (advance, restart) and shared by all
/// scrapes until the next change, so serving a large preset is cheap. Everything is
/// thread-safe. Call `stop()` when done (it also runs when the object is released).
public final class FakeEnvoy: Sendable {
    /// The port on 127.0.0.1; kept across `setDown(true)` / `setDown(false)`.
    public let port: UInt16
    /// The served pod (the fleet's focus).
    public let podName: String

    /// The Content-Type Envoy's Prometheus handler answers with.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private let gzip: (@Sendable ([UInt8]) -> [UInt8])?
    private let limits: MiniHTTPServer.Limits
    private let state: Mutex<State>
    private let lifecycle = Mutex(Lifecycle())
    private let ticker = Ticker()
    private let ownerSlot = OwnerSlot()

    private struct State: Sendable {
        var fleet: Fleet
        /// Bumped on every change of the fleet; caches are valid for one generation.
        var generation: UInt64 = 0
        var body: [UInt8]?
        var gzippedBody: (generation: UInt64, bytes: [UInt8])?
        var hangSeconds = 0.0
        var scrapes = 0

        mutating func currentBody() -> [UInt8] {
            if let body { return body }
            var rendered: [UInt8] = []
            rendered.reserveCapacity(fleet.focus.estimatedRenderSize)
            fleet.focus.render(into: &rendered)
            body = rendered
            return rendered
        }

        mutating func changed() {
            generation &+= 1
            body = nil
            gzippedBody = nil
        }
    }

    private struct Lifecycle: ~Copyable {
        var server: MiniHTTPServer?
    }

    /// Starts serving `preset`'s focus pod, warmed up as `Fleet(preset:seed:)` does.
    /// `port` 0 picks a free port. `gzip` is an encoder producing a gzip stream (for
    /// instance SiskinWire's zlib); without it requests asking for gzip get identity.
    public convenience init(
        preset: Preset, seed: UInt64, port: UInt16 = 0, gzip: (@Sendable ([UInt8]) -> [UInt8])? = nil
    ) throws(ServingError) {
        try self.init(fleet: Fleet(preset: preset, seed: seed), port: port, gzip: gzip)
    }

    /// Starts serving the focus pod of `fleet`.
    public init(
        fleet: Fleet, port: UInt16 = 0, gzip: (@Sendable ([UInt8]) -> [UInt8])? = nil,
        limits: MiniHTTPServer.Limits = MiniHTTPServer.Limits()
    ) throws(ServingError) {
        self.podName = fleet.focus.pod.name
        self.gzip = gzip
        self.limits = limits
        self.state = Mutex(State(fleet: fleet))
        let server = try Self.startServer(port: port, limits: limits, owner: ownerSlot)
        self.port = server.port
        ownerSlot.set(self)
        lifecycle.locked { $0.server = server }
    }

    deinit {
        stop()
    }

    private static func startServer(
        port: UInt16, limits: MiniHTTPServer.Limits, owner: OwnerSlot
    ) throws(ServingError) -> MiniHTTPServer {
        try MiniHTTPServer(port: port, limits: limits) { request in
            guard let envoy = owner.get() else { return MiniHTTPServer.Response(status: 503, text: "no healthy upstream") }
            return envoy.handle(request)
        }
    }

    /// The server's handler reaches the fake Envoy through this weak slot: a strong
    /// capture would keep it alive through its own server's threads.
    private final class OwnerSlot: Sendable {
        private struct Weak: Sendable { weak var envoy: FakeEnvoy? }
        private let slot = Mutex(Weak())
        func set(_ envoy: FakeEnvoy) { slot.locked { $0.envoy = envoy } }
        func get() -> FakeEnvoy? { slot.locked { $0.envoy } }
    }

    /// `http://127.0.0.1:<port>/stats/prometheus`.
    public var scrapeURL: String { "http://127.0.0.1:\(port)/stats/prometheus" }

    // MARK: Serving

    private func handle(_ request: MiniHTTPServer.Request) -> MiniHTTPServer.Response {
        guard request.path == "/stats/prometheus" else {
            return MiniHTTPServer.Response(status: 404, text: "invalid path. admin commands are:\n  /stats/prometheus\n")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return MiniHTTPServer.Response(status: 405, text: "Method not allowed; use GET\n")
        }
        let filter: ExpositionFilter
        do {
            filter = try ExpositionFilter(query: request.query)
        } catch {
            return MiniHTTPServer.Response(status: 400, text: error.message + "\n")
        }
        let wantsGzip = gzip != nil && (request.header("accept-encoding")?.lowercased().contains("gzip") ?? false)
        let (body, generation, cachedGzip, hang) = state.locked { state in
            state.scrapes += 1
            let cached = state.gzippedBody.flatMap { $0.generation == state.generation ? $0.bytes : nil }
            return (state.currentBody(), state.generation, cached, state.hangSeconds)
        }

        var headers: [(String, String)] = [("Content-Type", Self.contentType), ("Server", "envoy")]
        var payload: [UInt8]
        if filter.isIdentity {
            payload = body
            if wantsGzip, let gzip {
                if let cachedGzip {
                    payload = cachedGzip
                } else {
                    payload = gzip(body)
                    let compressed = payload
                    state.locked { state in
                        if state.generation == generation { state.gzippedBody = (generation, compressed) }
                    }
                }
            }
        } else {
            payload = filter.apply(to: body)
            if wantsGzip, let gzip { payload = gzip(payload) }
        }
        if wantsGzip { headers.append(("Content-Encoding", "gzip")) }
        return MiniHTTPServer.Response(status: 200, headers: headers, body: payload, delaySeconds: hang)
    }

    // MARK: Control

    /// Moves simulated time forward by `seconds`, generating traffic.
    public func advance(by seconds: Double) {
        state.locked { state in
            state.fleet.advance(by: seconds)
            state.changed()
        }
    }

    /// Restarts the served pod's Envoy: counters drop to zero, Istio series vanish until
    /// traffic uses them again; the ground truth keeps counting.
    public func restart() {
        state.locked { state in
            state.fleet.restartFocus()
            state.changed()
        }
    }

    /// Runs `body` on the fleet under the lock (e.g. to record hand-picked requests with
    /// `fleet.sidecars[...]` APIs); the cached body is invalidated afterwards.
    public func withFleet<Result: Sendable>(_ body: (inout Fleet) throws -> Result) rethrows -> Result {
        try state.locked { state in
            defer { state.changed() }
            return try body(&state.fleet)
        }
    }

    /// A copy of the simulated fleet as it is now.
    public var fleet: Fleet { state.locked { $0.fleet } }

    /// The body an unfiltered, uncompressed scrape returns right now.
    public func render() -> [UInt8] {
        state.locked { $0.currentBody() }
    }

    /// Seconds every scrape response is delayed by (a hung Envoy); 0 by default.
    public var hangSeconds: Double {
        get { state.locked { $0.hangSeconds } }
        set { state.locked { $0.hangSeconds = max(0, newValue.isFinite ? newValue : 0) } }
    }

    /// Requests to `/stats/prometheus` answered 200 so far (counted when handled, before
    /// any hang delay).
    public var scrapeCount: Int { state.locked { $0.scrapes } }

    /// Whether the listener is closed (by `setDown(true)` or `stop()`).
    public var isDown: Bool { lifecycle.locked { $0.server == nil } }

    /// Connections the current listener accepted (keep-alive checks).
    public var connectionsAccepted: Int { lifecycle.locked { $0.server?.connectionsAccepted ?? 0 } }

    /// `true` closes the listener and every open connection: clients get "connection
    /// refused", as when Envoy is not up yet. `false` listens again on the same port.
    /// Throws if the port cannot be bound again.
    public func setDown(_ down: Bool) throws(ServingError) {
        try lifecycle.locked { (lifecycle: inout Lifecycle) throws(ServingError) in
            if down {
                lifecycle.server?.stop()
                lifecycle.server = nil
            } else if lifecycle.server == nil {
                lifecycle.server = try Self.startServer(port: port, limits: limits, owner: ownerSlot)
            }
        }
    }

    /// Advances the fleet by `tick` simulated seconds every `tick` wall-clock seconds on a
    /// background thread (replacing a running clock), pre-rendering the body after each
    /// step so scrapes never wait for a render. Stopped by `stopClock()` or `stop()`.
    public func startClock(tick: Double) throws(ServingError) {
        try ticker.start(every: tick) { [weak self] in
            guard let envoy = self else { return false }
            envoy.state.locked { state in
                state.fleet.advance(by: tick)
                state.changed()
                _ = state.currentBody()
            }
            return true
        }
    }

    /// Stops the background clock, if any.
    public func stopClock() {
        ticker.stop()
    }

    // MARK: Ground truth (the served pod, like `Sidecar`'s API)

    /// Requests the pod's proxy really saw (by default across restarts).
    public func requests(matching predicate: [String: String] = [:], scope: TruthScope = .sinceCreation) -> UInt64 {
        state.locked { $0.fleet.focus.requests(matching: predicate, scope: scope) }
    }

    /// One histogram summed over the matching series of the pod.
    public func histogram(
        _ metric: IstioHistogram = .requestDuration, matching predicate: [String: String] = [:],
        scope: TruthScope = .sinceCreation
    ) -> HistogramCounts {
        state.locked { $0.fleet.focus.histogram(metric, matching: predicate, scope: scope) }
    }

    /// TCP counters summed over the matching series of the pod.
    public func tcpCounts(matching predicate: [String: String] = [:], scope: TruthScope = .sinceCreation) -> TCPCounts {
        state.locked { $0.fleet.focus.tcpCounts(matching: predicate, scope: scope) }
    }

    // MARK: Shutdown

    /// Stops the clock and closes the listener and all connections. Idempotent.
    public func stop() {
        stopClock()
        try? setDown(true)
    }
}
