import SiskinSimulator

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which aggregation rules the simulated agents run: the two built-in presets.
enum RulesPreset: String, CaseIterable, Sendable {
    case `default`
    case lean
}

/// The mesh the simulated pods live in: workloads spread over namespaces,
/// each calling a few others, so every pod's summary has Istio's real label
/// structure (reporter, source and destination workload, namespace, revision,
/// protocol, response code and flags) and about the requested number of series.
///
/// Every workload calls `degree` others and is called by `degree` others (a
/// circulant graph with random offsets), so pods have similar series counts
/// and no workload is a hub that would skew the average. Each call edge prints
/// one label combination per response outcome at each end, and each
/// combination is four series with the default rules (the request counter and
/// the duration, request-size and response-size histograms).
struct LoadMesh: Sendable {
    /// How big each pod's summary is expected to be.
    struct Shape: Sendable, Hashable {
        /// Response outcomes per edge: 1 (200), 2 (200, 503), 3 (200, 404, 503).
        var outcomes: Int
        /// Workloads each workload calls (and is called by).
        var degree: Int
        /// Series per summary the shape is expected to produce.
        var estimatedSeries: Int

        var outcomeCodes: String { ["200", "200/503", "200/404/503"][outcomes - 1] }
    }

    let topology: MeshTopology
    let shape: Shape
    /// Every pod that pushes, workload by workload.
    let pods: [Pod]
    /// Workloads whose pods push (the ingress gateway added for a one-workload
    /// mesh does not).
    let workloads: [Workload]
    let namespaceCount: Int

    init(pods podCount: Int, namespaces: Int, podsPerWorkload: Int, series: Int, rules: RulesPreset, seed: UInt64) {
        let workloadCount = max(1, (podCount + podsPerWorkload - 1) / podsPerWorkload)
        let namespaceNames = Self.names(Self.namespaceWords, count: min(namespaces, workloadCount))
        let workloadNames = Self.names(Self.workloadWords, count: workloadCount)
        var rng = Xoshiro256StarStar(seed: SplitMix64.derive(seed, 0x10AD))

        // Spread the pods evenly: sizes differ by at most one.
        var workloads: [Workload] = []
        for index in 0..<workloadCount {
            let size = podCount / workloadCount + (index < podCount % workloadCount ? 1 : 0)
            let namespace = namespaceNames[index % namespaceNames.count]
            let revision = index % 6 == 5 ? "v2" : "v1"
            workloads.append(Workload(
                name: workloadNames[index], namespace: namespace, canonicalRevision: revision,
                version: revision, serviceAccount: workloadNames[index],
                service: ServicePort(name: workloadNames[index], namespace: namespace, port: Self.speaksGRPC(index) ? 9090 : 8080),
                podCount: size))
        }

        let shape = Self.shape(forSeries: series, rules: rules, workloads: workloadCount)
        var edges: [TrafficEdge] = []
        var extraWorkloads: [Workload] = []
        if workloadCount == 1 {
            // Nothing else to call it: traffic comes in through the gateway,
            // whose pods are not among the pushing ones.
            let gateway = Workload.ingressGateway()
            extraWorkloads.append(gateway)
            edges.append(Self.edge(from: gateway.name, to: workloads[0].name, grpc: false, shape: shape, rng: &rng))
        } else {
            var offsets = Array(1..<workloadCount)
            offsets.shuffle(using: &rng)
            for offset in offsets.prefix(shape.degree) {
                for source in 0..<workloadCount {
                    let destination = (source + offset) % workloadCount
                    edges.append(Self.edge(
                        from: workloads[source].name, to: workloads[destination].name,
                        grpc: Self.speaksGRPC(destination), shape: shape, rng: &rng))
                }
            }
        }

        self.topology = MeshTopology(workloads: extraWorkloads + workloads, edges: edges)
        self.shape = shape
        self.workloads = workloads
        self.pods = workloads.flatMap(\.pods)
        self.namespaceCount = namespaceNames.count
    }

    /// Every fourth service speaks gRPC (its callers use it over gRPC, so its
    /// errors show as `grpc_response_status` with HTTP 200).
    private static func speaksGRPC(_ workload: Int) -> Bool { workload % 4 == 3 }

    /// One call edge: a few to a few dozen requests per second, a typical
    /// latency and error share, drawn per edge so workloads differ.
    private static func edge(
        from source: String, to destination: String, grpc: Bool, shape: Shape, rng: inout Xoshiro256StarStar
    ) -> TrafficEdge {
        let requestsPerSecond = 4 * exp(rng.nextUnit() * log(15.0))  // 4 ... 60 rps, log-uniform
        let medianMs = 4 + 60 * rng.nextUnit() * rng.nextUnit()
        let success: [ResponseOutcome] = shape.outcomes >= 3 ? [.ok(weight: 0.97), .notFound(weight: 0.03)] : [.ok()]
        return TrafficEdge(
            from: source, to: destination, requestsPerSecond: requestsPerSecond,
            errorShare: shape.outcomes >= 2 ? 0.005 + 0.015 * rng.nextUnit() : 0,
            latency: .latency(medianMs: medianMs, p99Ms: medianMs * (5 + 7 * rng.nextUnit())),
            requestProtocol: grpc ? .grpc : .http,
            successOutcomes: success, errorOutcomes: [.unavailable()])
    }

    /// The outcome count and degree whose expected series count is closest to
    /// `series`, preferring more outcomes (a realistic 200/404/503 mix).
    ///
    /// With the default rules an edge adds `4 × outcomes` series at each end
    /// and every workload is at both ends of `degree` edges. The lean rules
    /// keep only requests and durations by destination and code: `2 ×
    /// outcomes` per workload called, plus the same for the pod's own inbound
    /// traffic, summed over all callers. A lone workload only has the
    /// gateway's inbound edge (degree 0).
    static func shape(forSeries series: Int, rules: RulesPreset, workloads: Int) -> Shape {
        let perOutcome = rules == .default ? 4 : 2
        func estimate(_ outcomes: Int, _ degree: Int) -> Int {
            guard workloads > 1 else { return perOutcome * outcomes }
            switch rules {
            case .default: return 2 * perOutcome * outcomes * degree
            case .lean: return perOutcome * outcomes * (degree + 1)
            }
        }
        let candidates = [3, 2, 1].map { outcomes -> Shape in
            guard workloads > 1 else { return Shape(outcomes: outcomes, degree: 0, estimatedSeries: estimate(outcomes, 0)) }
            let ideal = rules == .default
                ? Double(series) / Double(2 * perOutcome * outcomes)
                : Double(series) / Double(perOutcome * outcomes) - 1
            let degree = min(workloads - 1, max(1, Int(ideal.rounded())))
            return Shape(outcomes: outcomes, degree: degree, estimatedSeries: estimate(outcomes, degree))
        }
        // Strictly closer only: on a tie the realistic mix (tried first) stays.
        return candidates.dropFirst().reduce(candidates[0]) {
            abs($1.estimatedSeries - series) < abs($0.estimatedSeries - series) ? $1 : $0
        }
    }

    /// `count` distinct names from `words`, suffixed `-2`, `-3`, ... once the
    /// list is used up.
    static func names(_ words: [String], count: Int) -> [String] {
        (0..<count).map { index in
            let round = index / words.count
            return words[index % words.count] + (round == 0 ? "" : "-\(round + 1)")
        }
    }

    static let workloadWords = [
        "storefront", "checkout", "cart", "catalog", "search", "recommender", "orders", "payments",
        "ledger", "billing", "invoices", "shipping", "inventory", "pricing", "reviews", "loyalty",
        "accounts", "auth", "sessions", "profile", "notifications", "email-sender", "sms-gateway",
        "fraud-check", "risk-score", "tax-calculator", "currency-rates", "geo-lookup", "image-resizer",
        "media-upload", "feature-flags", "audit-log", "reporting", "analytics-ingest", "exporter",
        "scheduler", "webhooks", "partner-api", "mobile-bff", "web-bff", "admin-console", "support-desk",
        "chat", "returns", "subscriptions", "campaigns", "coupons", "warehouse",
    ]

    static let namespaceWords = [
        "shop", "payments", "identity", "orders", "growth", "web", "platform", "data", "logistics",
        "support", "marketing", "finance", "mobile", "partners", "risk", "media", "search", "internal",
        "integrations", "ops",
    ]
}
