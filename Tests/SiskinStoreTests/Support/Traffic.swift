import SiskinAggregation
import SiskinStore
import SiskinTesting
import SiskinWire

/// One thing that happens to a database: a push arriving, or an expiry pass.
enum Event: Sendable {
    case push(summary: PodSummary, body: [UInt8], receivedAt: Int64)
    case expire(now: Int64)

    var time: Int64 {
        switch self {
        case .push(_, _, let t): t
        case .expire(let t): t
        }
    }
}

/// Deterministic mesh traffic: a few pods of two workloads pushing cumulative
/// counters, a gauge and a histogram every 5 s, with the things restarts must
/// get right: retried (duplicate) pushes, an agent restart, series appearing
/// and disappearing, and a pod that goes silent long enough to be expired and
/// then comes back as a new baseline.
struct Traffic {
    static let start: Int64 = 1_700_000_000_000
    static let bounds: [Double] = [5, 10, 50, 100]

    private struct Pod {
        var name: String
        var workload: String
        var instance: String
        var sequence: UInt64 = 0
        var requests: [String: UInt64] = ["200": 0, "503": 0]
        var buckets: [UInt64] = [0, 0, 0, 0, 0]
        var sum: Double = 0
    }

    private var random: SeededRandom
    private var pods: [Pod]
    private let encoder = SummaryEncoder()

    init(seed: UInt64 = 7) {
        random = SeededRandom(seed: seed)
        pods = [
            Pod(name: "reviews-v1-aaa", workload: "reviews", instance: "agent-1"),
            Pod(name: "reviews-v1-bbb", workload: "reviews", instance: "agent-2"),
            Pod(name: "ratings-v1-ccc", workload: "ratings", instance: "agent-3"),
        ]
    }

    /// `rounds` push rounds (5 s apart) with an expiry pass every 30 s. With
    /// `outage`, the ratings pod is silent for rounds 20–89 (expired after
    /// 5 minutes) and then pushes again.
    static func events(rounds: Int, seed: UInt64 = 7, outage: Bool = true) throws -> [Event] {
        var traffic = Traffic(seed: seed)
        var out: [Event] = []
        for round in 0..<rounds {
            let t = start + Int64(round) * 5_000
            for index in traffic.pods.indices {
                if outage && index == 2 && (20..<90).contains(round) { continue }
                let push = try traffic.push(index, at: t + Int64(index) * 700, round: round)
                out.append(push)
                if round % 17 == 3 { out.append(push) }  // a retry: ignored, not logged
            }
            if round % 6 == 5 { out.append(.expire(now: t + 4_000)) }
        }
        return out
    }

    private mutating func push(_ index: Int, at timestamp: Int64, round: Int) throws -> Event {
        if index == 1 && round == 40 {
            // Agent restart: a new instance whose counters start again.
            pods[index].instance = "agent-2b"
            pods[index].sequence = 0
            pods[index].requests = ["200": 0, "503": 0]
            pods[index].buckets = [0, 0, 0, 0, 0]
            pods[index].sum = 0
        }
        var pod = pods[index]
        pod.sequence += 1
        pod.requests["200", default: 0] += random.next() % 40
        pod.requests["503", default: 0] += random.next() % 3
        if round >= 10 { pod.requests["404", default: 0] += random.next() % 5 }  // appears later
        var observed: UInt64 = 0
        for bucket in 0..<pod.buckets.count {
            observed += random.next() % 6
            pod.buckets[bucket] += observed
        }
        pod.sum += Double(random.next() % 1_000) / 8
        pods[index] = pod

        func labels(_ extra: [Label]) -> [Label] {
            ([Label("destination_workload", pod.workload), Label("namespace", "shop"), Label("pod", pod.name)] + extra)
                .sorted()
        }
        var counters = pod.requests.keys.sorted().map { code in
            SummarySeries(labels: labels([Label("response_code", code)]),
                          value: .counter(.integer(pod.requests[code] ?? 0)))
        }
        if (50..<60).contains(round) { counters.removeLast() }  // absent for a while
        let families = [
            SummaryFamily(name: "istio_requests_total", kind: .counter, series: counters),
            SummaryFamily(name: "envoy_server_concurrency", kind: .gauge, series: [
                SummarySeries(labels: labels([]), value: .gauge(Double(random.next() % 16))),
            ]),
            SummaryFamily(name: "istio_request_duration_milliseconds", kind: .histogram, series: [
                SummarySeries(labels: labels([]), value: .histogram(HistogramValue(
                    bounds: Self.bounds, bucketCounts: pod.buckets.map { .integer($0) }, sum: pod.sum,
                    count: .integer(pod.buckets.last ?? 0)))),
            ]),
        ]
        let summary = PodSummary(
            pod: pod.name, namespace: "shop", podLabels: [Label("app", pod.workload)], agentInstance: pod.instance,
            sequence: pod.sequence, timestampMilliseconds: timestamp, metadata: [Label("agent_version", "test")],
            families: families)
        return .push(summary: summary, body: try encoder.encode(summary).bytes, receivedAt: timestamp + 40)
    }
}

extension Database {
    /// Applies events as the server would: pushes with their bodies, expiry.
    func apply(_ events: some Sequence<Event>) {
        for event in events {
            switch event {
            case .push(let summary, let body, let receivedAt):
                _ = ingest(summary, body: body, now: receivedAt)
            case .expire(let now):
                expire(now: now)
            }
        }
    }

    /// An in-memory database that saw `events`: the answers a restarted one
    /// must give.
    static func reference(_ events: some Sequence<Event>, configuration: StoreConfiguration = .default) -> Database {
        let database = Database(configuration: configuration)
        database.apply(events)
        return database
    }
}
