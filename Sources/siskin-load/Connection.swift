import ArgumentParser
import SiskinAgent
import SiskinWire

/// Outcomes of the pushes of one phase, mergeable across connections.
struct PhaseStats: Sendable {
    var sent = 0
    var accepted = 0
    /// 2xx answers by status: `siskin serve` says 202 when it applied a push
    /// and 200 when it ignored it (a duplicate or out of order).
    var acceptedByStatus: [Int: Int] = [:]
    /// Non-2xx answers by HTTP status.
    var rejected: [Int: Int] = [:]
    /// Pushes without an HTTP answer, by kind (refused, timeout, ...).
    var transportErrors: [String: Int] = [:]
    var bodyBytes = 0
    /// Latency of every push that got an HTTP answer.
    var latency = LatencyHistogram()
    /// Time spent waiting for an encoder to produce the next body.
    var waitedNanoseconds: UInt64 = 0
    /// Monotonic end of the phase on this connection.
    var endNanoseconds: UInt64 = 0
    var firstRejection: String?
    var firstTransportError: String?

    mutating func merge(_ other: PhaseStats) {
        sent += other.sent
        accepted += other.accepted
        acceptedByStatus.merge(other.acceptedByStatus, uniquingKeysWith: +)
        rejected.merge(other.rejected, uniquingKeysWith: +)
        transportErrors.merge(other.transportErrors, uniquingKeysWith: +)
        bodyBytes += other.bodyBytes
        latency.merge(other.latency)
        waitedNanoseconds += other.waitedNanoseconds
        endNanoseconds = max(endNanoseconds, other.endNanoseconds)
        firstRejection = firstRejection ?? other.firstRejection
        firstTransportError = firstTransportError ?? other.firstTransportError
    }
}

/// Why the measured phase ended.
enum EndReason: String, Sendable, Codable, Comparable {
    case duration = "duration elapsed"
    case exhausted = "all planned pushes sent"
    case interrupted = "interrupted"
    case encoderFailed = "encoder failed"

    static func < (lhs: EndReason, rhs: EndReason) -> Bool { lhs.rank < rhs.rank }
    private var rank: Int {
        switch self {
        case .duration: 0
        case .exhausted: 1
        case .interrupted: 2
        case .encoderFailed: 3
        }
    }
}

/// Holds the baseline round back until every connection has sent it, then
/// starts the measured phase on all connections at one instant (or cancels
/// it, when the baseline showed there is nothing to measure).
///
/// `@unchecked Sendable`: state is guarded by `lock`.
final class StartGate: @unchecked Sendable {
    private enum Decision {
        case pending
        case start(UInt64)
        case cancel
    }

    private let lock = ConditionLock()
    private var arrived = 0
    private var decision = Decision.pending

    /// A connection is done with the baseline; returns the start of the
    /// measured phase, or nil if it was cancelled or the run stopped.
    func arriveAndWait(shouldStop: () -> Bool) -> UInt64? {
        lock.withLock {
            arrived += 1
            lock.broadcast()
            while true {
                switch decision {
                case .start(let start): return start
                case .cancel: return nil
                case .pending: if shouldStop() { return nil }
                }
                lock.wait(seconds: 0.1)
            }
        }
    }

    /// Waits until `count` connections have arrived; false if stopped first.
    func waitForAll(count: Int, shouldStop: () -> Bool) -> Bool {
        lock.withLock {
            while arrived < count && !shouldStop() { lock.wait(seconds: 0.1) }
            return arrived >= count
        }
    }

    /// Starts the measured phase now; returns its start.
    func open() -> UInt64 {
        lock.withLock {
            let now = Monotonic.nanoseconds()
            decision = .start(now)
            lock.broadcast()
            return now
        }
    }

    func cancel() {
        lock.withLock {
            decision = .cancel
            lock.broadcast()
        }
    }
}

/// What every connection needs to know about the run.
struct ConnectionPlan: Sendable {
    let url: String
    let token: String?
    let timeoutSeconds: Double
    /// Pushes per pod in the measured phase (after the baseline round).
    let rounds: Int
    let durationNanoseconds: UInt64
    /// Nanoseconds between pushes on one connection; 0 = as fast as possible.
    let pacingNanoseconds: UInt64
    /// Agent instance id of every pod.
    let agentInstances: [String]
    /// Keep the sequence numbers of accepted pushes (`--openmetrics-out`).
    var recordAccepted = false
    /// How pushes travel (`--client`).
    var client: PushClient = .curl
}

/// The load tool's HTTP client: the agent's libcurl, or a bare socket that
/// leaves the machine's CPU to the server being measured (`PushSocket`).
enum PushClient: String, Sendable, CaseIterable, ExpressibleByArgument {
    case curl, socket
}

/// One connection's open transport.
private enum Transport {
    case curl(CurlEasy)
    case socket(PushSocket, head: (path: String, host: String))
}

/// One keep-alive connection: a thread with its own HTTP client (`PushClient`),
/// pushing for the pods `p` with `p % connections == index`, one at a time.
///
/// A pod's pushes all go through one connection, in order, like one agent's,
/// so the aggregator never sees a pod's sequence numbers out of order.
struct Connection: Sendable {
    let index: Int
    let pods: [Int]
    let plan: ConnectionPlan

    struct Result: Sendable {
        var baseline = PhaseStats()
        var measured = PhaseStats()
        var end = EndReason.duration
        /// Per pod of this connection (in `pods` order), the sequence
        /// numbers answered 2xx; only with `plan.recordAccepted`.
        var acceptedSequences: [[UInt64]] = []
    }

    func run(pool: BodyPool, gate: StartGate, results: ResultsBox) {
        var result = Result()
        if plan.recordAccepted { result.acceptedSequences = Array(repeating: [], count: pods.count) }
        defer { results.store(result, at: index) }
        let stopRequested = { StopSignal.isRequested }
        let transport: Transport
        do {
            switch plan.client {
            case .curl:
                transport = .curl(try CurlEasy())
            case .socket:
                let socket = try PushSocket(url: plan.url, timeoutSeconds: plan.timeoutSeconds)
                transport = .socket(socket, head: PushSocket.pathAndHost(plan.url))
            }
        } catch {
            result.baseline.sent = pods.count
            result.baseline.transportErrors["cannot open a \(plan.client.rawValue) client"] = pods.count
            result.baseline.firstTransportError = "\(error)"
            results.store(result, at: index)
            _ = gate.arriveAndWait(shouldStop: stopRequested)
            result.end = .interrupted
            return
        }

        // Baseline: every pod's first push, untimed (the aggregator creates
        // the pod and its series; steady state is what gets measured).
        for (slot, pod) in pods.enumerated() {
            guard !stopRequested(), let body = pool.take(pod: pod, waited: &result.baseline.waitedNanoseconds, shouldStop: stopRequested)
            else { break }
            if push(body, pod: pod, transport: transport, into: &result.baseline) && plan.recordAccepted {
                result.acceptedSequences[slot].append(body.sequence)
            }
        }
        result.baseline.endNanoseconds = Monotonic.nanoseconds()
        results.store(result, at: index)
        guard let start = gate.arriveAndWait(shouldStop: stopRequested) else {
            result.end = .interrupted
            return
        }

        let deadline = start + plan.durationNanoseconds
        let pastDeadline = { StopSignal.isRequested || Monotonic.nanoseconds() >= deadline }
        var pushes: UInt64 = 0
        result.end = .exhausted
        measured: for _ in 0..<plan.rounds {
            for (slot, pod) in pods.enumerated() {
                if plan.pacingNanoseconds > 0 {
                    let due = start + pushes * plan.pacingNanoseconds
                    if due >= deadline {
                        result.end = .duration
                        break measured
                    }
                    Monotonic.sleep(until: due, unless: { StopSignal.isRequested })
                }
                if pastDeadline() {
                    result.end = StopSignal.isRequested ? .interrupted : .duration
                    break measured
                }
                guard let body = pool.take(pod: pod, waited: &result.measured.waitedNanoseconds, shouldStop: pastDeadline)
                else {
                    result.end = pool.snapshot.failure != nil ? .encoderFailed
                        : StopSignal.isRequested ? .interrupted : .duration
                    break measured
                }
                if push(body, pod: pod, transport: transport, into: &result.measured) && plan.recordAccepted {
                    result.acceptedSequences[slot].append(body.sequence)
                }
                pushes += 1
            }
        }
        result.measured.endNanoseconds = Monotonic.nanoseconds()
    }

    /// One POST, headers as the agent sends them (docs/wire-format.md, HTTP
    /// transport). No retries: the load stays what was asked for, and a lost
    /// push is covered by the pod's next (cumulative) one anyway. True when
    /// the answer was 2xx.
    private func push(_ body: PushBody, pod: Int, transport: Transport, into stats: inout PhaseStats) -> Bool {
        var headers: [(String, String)] = [
            ("Content-Type", WireFormat.contentType),
            ("Content-Encoding", "identity"),
            ("X-Siskin-Sequence", String(body.sequence)),
            ("X-Siskin-Agent-Instance", plan.agentInstances[pod]),
        ]
        if let token = plan.token { headers.append(("Authorization", "Bearer " + token)) }
        stats.sent += 1
        stats.bodyBytes += body.bytes.count
        let start = Monotonic.nanoseconds()
        do {
            let status: Int, message: String?
            switch transport {
            case .curl(let curl):
                let request = HTTPRequest(
                    method: .post, url: plan.url, headers: headers, body: body.bytes, timeoutSeconds: plan.timeoutSeconds,
                    connectTimeoutSeconds: min(plan.timeoutSeconds, 2), maxResponseBytes: 64 << 10)
                (status, message) = try curl.perform(request) { response, responseBody -> (Int, String?) in
                    guard !(200..<300).contains(response.status) else { return (response.status, nil) }
                    return (response.status, String(decoding: responseBody.prefix(200), as: UTF8.self))
                }
            case .socket(let socket, let target):
                var head = "POST \(target.path) HTTP/1.1\r\nHost: \(target.host)\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                head += "Content-Length: \(body.bytes.count)\r\n\r\n"
                let answer = try socket.post(head: Array(head.utf8), body: body.bytes, maxResponseBytes: 64 << 10)
                status = answer.status
                message = (200..<300).contains(status) ? nil : String(decoding: answer.body.prefix(200), as: UTF8.self)
            }
            stats.latency.record(nanoseconds: Monotonic.nanoseconds() - start)
            if (200..<300).contains(status) {
                stats.accepted += 1
                stats.acceptedByStatus[status, default: 0] += 1
                return true
            } else {
                stats.rejected[status, default: 0] += 1
                if stats.firstRejection == nil {
                    let text = message.map(Self.oneLine) ?? ""
                    stats.firstRejection = "HTTP \(status)" + (text.isEmpty ? "" : ": \(text)")
                }
            }
        } catch let error as HTTPError {
            stats.transportErrors[Self.name(of: error.kind), default: 0] += 1
            if stats.firstTransportError == nil { stats.firstTransportError = error.description }
        } catch let error as PushSocket.Failure {
            stats.transportErrors[error.category, default: 0] += 1
            if stats.firstTransportError == nil { stats.firstTransportError = error.description }
        } catch {
            stats.transportErrors["other", default: 0] += 1
            if stats.firstTransportError == nil { stats.firstTransportError = "\(error)" }
        }
        return false
    }

    private static func name(of kind: HTTPError.Kind) -> String {
        switch kind {
        case .connectionRefused: "connection refused"
        case .timeout: "timeout"
        case .resolve: "cannot resolve"
        case .responseTooLarge: "response too large"
        case .tls: "TLS"
        case .other: "other"
        }
    }

    /// An error body as one short line for the report.
    private static func oneLine(_ text: String) -> String {
        let flat = text.map { $0.isNewline || $0 == "\t" ? " " : $0 }
        guard let first = flat.firstIndex(where: { $0 != " " }), let last = flat.lastIndex(where: { $0 != " " })
        else { return "" }
        return String(flat[first...last])
    }
}
