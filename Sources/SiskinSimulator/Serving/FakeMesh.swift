#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SiskinSync
import Synchronization

/// Many simulated Envoy admin listeners on 127.0.0.1, one per pod of a `Fleet`, driven by
/// one shared simulated clock: what a scraper sees of a small mesh.
///
/// Each served pod gets its own port and answers `GET /stats/prometheus` exactly as
/// `FakeEnvoy` does (same content type, `usedonly` and `filter=<regex>`, 404 elsewhere,
/// 405 for other methods). The fleet advances for all pods together: `startClock(tick:)`
/// moves it by `tick` simulated seconds every `tick` wall-clock seconds, on a schedule that
/// does not drift, so simulated traffic follows real time and every scraper (Prometheus,
/// `siskin-agent`) sees the same traffic at the same moment.
///
/// While it runs, tests can restart one pod's Envoy, hold all traffic (`isPaused`), change
/// an edge's rate (a new source workload appearing, a ramp), and read the ground truth at
/// any past moment (`truth(at:)`): a snapshot of the fleet is kept after every tick, stamped
/// with the wall clock (Unix seconds), for the last `truthRetention` ticks. Snapshots share
/// what did not change, but each still costs tens of KB per pod with traffic: the default
/// (1,800, three minutes at 100 ms ticks) suits tests of a few pods.
///
/// Bodies are rendered on the first scrape after a change and shared until the next one.
/// Everything is thread-safe. Call `stop()` when done (it also runs when the object is
/// released).
public final class FakeMesh: Sendable {
    /// One served pod.
    public struct Endpoint: Sendable, Hashable {
        public let pod: String
        public let namespace: String
        public let workload: String
        /// The port on 127.0.0.1.
        public let port: UInt16
        /// `127.0.0.1:<port>`, as a Prometheus target.
        public var address: String { "127.0.0.1:\(port)" }
        /// `http://127.0.0.1:<port>/stats/prometheus`.
        public var scrapeURL: String { "http://\(address)/stats/prometheus" }
    }

    /// A moment of the ground truth: the fleet as it was after a tick.
    public struct TruthSnapshot: Sendable {
        /// Wall-clock time of the tick, Unix seconds.
        public var unixSeconds: Double
        public var fleet: Fleet
    }

    /// The served pods, in fleet order.
    public let endpoints: [Endpoint]
    /// Snapshots of the fleet kept for `truth(at:)` (one per tick, oldest dropped first).
    public let truthRetention: Int

    private let state: Mutex<State>
    private let lifecycle = Mutex(Lifecycle())
    private let ticker = Ticker()

    private struct State: Sendable {
        var fleet: Fleet
        /// Bumped on every change of the fleet; cached bodies are valid for one generation.
        var generation: UInt64 = 0
        var bodies: [String: (generation: UInt64, bytes: [UInt8])] = [:]
        var paused = false
        var ticks = 0
        var scrapes: [String: Int] = [:]
        /// Ring of snapshots: `history[(historyStart + i) % count]` is the i-th oldest.
        var history: [TruthSnapshot] = []
        var historyStart = 0

        mutating func body(pod: String) -> [UInt8] {
            if let cached = bodies[pod], cached.generation == generation { return cached.bytes }
            let rendered = fleet.render(pod: pod) ?? []
            bodies[pod] = (generation, rendered)
            return rendered
        }

        mutating func changed() {
            generation &+= 1
            bodies.removeAll(keepingCapacity: true)
        }

        mutating func record(limit: Int) {
            let snapshot = TruthSnapshot(unixSeconds: FakeMesh.unixNow(), fleet: fleet)
            if history.count < limit {
                history.append(snapshot)
            } else {
                history[historyStart] = snapshot
                historyStart = (historyStart + 1) % history.count
            }
        }

        func snapshot(_ index: Int) -> TruthSnapshot {
            history[(historyStart + index) % history.count]
        }
    }

    private struct Lifecycle: ~Copyable {
        var servers: [String: MiniHTTPServer] = [:]
    }

    /// Starts one listener per pod in `pods` (every simulated pod of `fleet` when nil) on
    /// free loopback ports. The clock does not run until `startClock(tick:)`.
    public init(
        fleet: Fleet, serving pods: [String]? = nil, limits: MiniHTTPServer.Limits = MiniHTTPServer.Limits(),
        truthRetention: Int = 1_800
    ) throws(ServingError) {
        precondition(truthRetention >= 1, "keep at least one snapshot")
        let names = pods ?? fleet.podNames
        for name in names {
            precondition(fleet.sidecar(pod: name) != nil, "pod \(name) is not simulated by the fleet")
        }
        self.truthRetention = truthRetention
        var initial = State(fleet: fleet)
        initial.record(limit: truthRetention)
        self.state = Mutex(initial)

        let owner = OwnerSlot()
        var servers: [String: MiniHTTPServer] = [:]
        var endpoints: [Endpoint] = []
        do {
            for name in names {
                let server = try MiniHTTPServer(port: 0, limits: limits) { request in
                    guard let mesh = owner.get() else { return MiniHTTPServer.Response(status: 503, text: "no healthy upstream") }
                    return mesh.handle(request, pod: name)
                }
                servers[name] = server
                let sidecar = fleet.sidecar(pod: name)!
                endpoints.append(Endpoint(
                    pod: name, namespace: sidecar.pod.namespace, workload: sidecar.pod.workloadName, port: server.port))
            }
        } catch {
            for server in servers.values { server.stop() }
            throw error
        }
        self.endpoints = endpoints
        owner.set(self)
        lifecycle.locked { $0.servers = servers }
    }

    deinit {
        stop()
    }

    /// The server's handlers reach the mesh through this weak slot: a strong capture would
    /// keep it alive through its own servers' threads.
    private final class OwnerSlot: Sendable {
        private struct Weak: Sendable { weak var mesh: FakeMesh? }
        private let slot = Mutex(Weak())
        func set(_ mesh: FakeMesh) { slot.locked { $0.mesh = mesh } }
        func get() -> FakeMesh? { slot.locked { $0.mesh } }
    }

    /// The endpoint serving `pod`, if served.
    public func endpoint(pod: String) -> Endpoint? {
        endpoints.first { $0.pod == pod }
    }

    // MARK: Serving

    private func handle(_ request: MiniHTTPServer.Request, pod: String) -> MiniHTTPServer.Response {
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
        let body = state.locked { state in
            state.scrapes[pod, default: 0] += 1
            return state.body(pod: pod)
        }
        return MiniHTTPServer.Response(
            status: 200, headers: [("Content-Type", FakeEnvoy.contentType), ("Server", "envoy")],
            body: filter.isIdentity ? body : filter.apply(to: body))
    }

    // MARK: Control

    /// Moves simulated time forward by `seconds` for every pod at once (also while the
    /// clock runs; held traffic does not hold this).
    public func advance(by seconds: Double) {
        state.locked { state in
            state.fleet.advance(by: seconds)
            state.changed()
            state.record(limit: truthRetention)
        }
    }

    /// Restarts the named pod's Envoy: its counters drop to zero and its Istio series
    /// vanish until traffic uses them again; the ground truth keeps counting. Returns false
    /// if the fleet does not simulate that pod.
    @discardableResult
    public func restart(pod: String) -> Bool {
        state.locked { state in
            let restarted = state.fleet.restart(pod: pod)
            if restarted { state.changed() }
            return restarted
        }
    }

    /// Sets the requests per second from workload `source` to workload `destination` from
    /// the next tick on (see `Fleet.setRequestsPerSecond`); returns the edges changed.
    @discardableResult
    public func setRequestsPerSecond(_ requestsPerSecond: Double, from source: String, to destination: String) -> Int {
        state.locked { state in
            state.fleet.setRequestsPerSecond(requestsPerSecond, from: source, to: destination)
        }
    }

    /// While true, the clock's ticks generate no traffic and simulated time stands still
    /// (scrapes keep answering the last state): what a drained mesh looks like. Setting
    /// it back resumes from where it stopped.
    public var isPaused: Bool {
        get { state.locked { $0.paused } }
        set { state.locked { $0.paused = newValue } }
    }

    /// Runs `body` on the fleet under the lock; cached bodies are invalidated afterwards.
    public func withFleet<Result: Sendable>(_ body: (inout Fleet) throws -> Result) rethrows -> Result {
        try state.locked { state in
            defer { state.changed() }
            return try body(&state.fleet)
        }
    }

    /// A copy of the simulated fleet as it is now.
    public var fleet: Fleet { state.locked { $0.fleet } }

    /// The body an unfiltered scrape of `pod` returns right now (nil if not simulated).
    public func render(pod: String) -> [UInt8]? {
        state.locked { state in state.fleet.sidecar(pod: pod) == nil ? nil : state.body(pod: pod) }
    }

    /// Requests to `/stats/prometheus` of `pod` answered 200 so far.
    public func scrapeCount(pod: String) -> Int { state.locked { $0.scrapes[pod] ?? 0 } }

    /// Ticks of the clock that generated traffic so far.
    public var tickCount: Int { state.locked { $0.ticks } }

    /// Advances the fleet by `tick` simulated seconds every `tick` wall-clock seconds on a
    /// background thread (replacing a running clock). The schedule does not drift: a late
    /// tick is caught up, so simulated time tracks wall time (pauses excepted). Stopped by
    /// `stopClock()` or `stop()`.
    public func startClock(tick: Double) throws(ServingError) {
        let limit = truthRetention
        try ticker.start(every: tick) { [weak self] in
            guard let mesh = self else { return false }
            mesh.state.locked { state in
                guard !state.paused else { return }
                state.fleet.advance(by: tick)
                state.ticks += 1
                state.changed()
                state.record(limit: limit)
            }
            return true
        }
    }

    /// Stops the background clock, if any.
    public func stopClock() {
        ticker.stop()
    }

    // MARK: Ground truth

    /// The fleet as it was at Unix time `unixSeconds`: the last snapshot taken at or before
    /// it (snapshots follow every tick, `advance` and the creation). Nil if that moment is
    /// older than the retained history.
    public func truth(at unixSeconds: Double) -> TruthSnapshot? {
        state.locked { state in
            var low = 0, high = state.history.count  // first snapshot after the moment
            while low < high {
                let middle = (low + high) / 2
                if state.snapshot(middle).unixSeconds <= unixSeconds { low = middle + 1 } else { high = middle }
            }
            return low == 0 ? nil : state.snapshot(low - 1)
        }
    }

    /// Requests the matching series really saw over `(start, end]` (Unix seconds), across
    /// restarts, to the precision of a tick: in every simulated sidecar, or in `pod`'s
    /// only. Nil if `start` is older than the history (or `pod` is not simulated). Each
    /// request is seen by both simulated ends: add `"reporter"` to count it once.
    public func requests(
        matching predicate: [String: String] = [:], pod: String? = nil, from start: Double, to end: Double
    ) -> UInt64? {
        guard start <= end, let first = truth(at: start), let last = truth(at: end) else { return nil }
        guard let pod else {
            return last.fleet.requests(matching: predicate) - first.fleet.requests(matching: predicate)
        }
        guard let before = first.fleet.sidecar(pod: pod), let after = last.fleet.sidecar(pod: pod) else { return nil }
        return after.requests(matching: predicate) - before.requests(matching: predicate)
    }

    // MARK: Shutdown

    /// Stops the clock and closes every listener and connection. Idempotent.
    public func stop() {
        stopClock()
        let servers = lifecycle.locked { lifecycle in
            let servers = lifecycle.servers
            lifecycle.servers = [:]
            return servers
        }
        for server in servers.values { server.stop() }
    }

    static func unixNow() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
