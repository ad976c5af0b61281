extension MeshTopology {
    /// How one side of a canary answers: its error share and latency.
    public struct ReleaseBehaviour: Sendable, Hashable {
        /// Share of requests answered 5xx by the application (503 and 500, 3:2); the rest
        /// are 200, with `notFoundShare` of them 404.
        public var errorShare: Double
        /// Share of the non-error answers that are 404 (a client error, not a failure).
        public var notFoundShare: Double
        /// Latency as the destination proxy measures it, in milliseconds.
        public var latency: LogNormalDistribution

        public init(errorShare: Double, notFoundShare: Double = 0.02, latency: LogNormalDistribution) {
            precondition((0...1).contains(errorShare) && (0...1).contains(notFoundShare))
            self.errorShare = errorShare
            self.notFoundShare = notFoundShare
            self.latency = latency
        }
    }

    /// A small, fully controllable Flagger canary for fidelity checks: `<service>-primary`
    /// (revision v1, `primaryPods` pods) and the canary workload `canaryName` (default
    /// `<service>-canary`; Flagger itself names it `<service>`, the Deployment it watches),
    /// revision v2 with `canaryPods` pods, both canonical service `service` in `namespace`,
    /// behind the Services `<service>-primary` and `<service>-canary` as Flagger sets them up.
    ///
    /// `sources` are client workloads (one pod each, in `namespace`) that send
    /// `requestsPerSecond` each, `canaryWeight` of it to the canary and the rest to the
    /// primary, over plain HTTP. `idleSources` are client workloads declared with edges at
    /// 0 requests per second: they exist from the start but send nothing until
    /// `Fleet.setRequestsPerSecond(_:from:to:)` (or `FakeMesh`'s) turns them on, which is
    /// how a new source workload appears in the middle of a run.
    ///
    /// Nothing here calls out of podinfo, and no TCP traffic flows, so every Istio series
    /// of the podinfo pods is an inbound HTTP series whose numbers come straight from the
    /// parameters: the success rate is `1 - errorShare`, the quantiles those of `latency`.
    public static func canaryRollout(
        namespace: String = "test",
        service: String = "podinfo",
        canaryName: String? = nil,
        primaryPods: Int = 2,
        canaryPods: Int = 1,
        sources: [String] = ["loadgenerator"],
        idleSources: [String] = [],
        requestsPerSecond: Double = 100,
        canaryWeight: Double = 0.1,
        primary: ReleaseBehaviour = ReleaseBehaviour(errorShare: 0.01, latency: .latency(medianMs: 20, p99Ms: 170)),
        canary: ReleaseBehaviour = ReleaseBehaviour(errorShare: 0.05, latency: .latency(medianMs: 30, p99Ms: 400))
    ) -> MeshTopology {
        precondition((0...1).contains(canaryWeight), "canaryWeight is a fraction")
        func release(_ name: String, serviceName: String, revision: String, pods: Int) -> Workload {
            Workload(
                name: name, namespace: namespace, canonicalService: service, canonicalRevision: revision,
                app: service, version: revision, serviceAccount: service,
                service: ServicePort(name: serviceName, namespace: namespace, port: 9898), podCount: pods)
        }
        let primaryWorkload = release(
            "\(service)-primary", serviceName: "\(service)-primary", revision: "v1", pods: primaryPods)
        let canaryWorkload = release(
            canaryName ?? "\(service)-canary", serviceName: "\(service)-canary", revision: "v2", pods: canaryPods)
        func client(_ name: String) -> Workload {
            Workload(
                name: name, namespace: namespace, canonicalRevision: "v1", version: "v1", serviceAccount: name,
                podCount: 1)
        }
        var edges: [TrafficEdge] = []
        func call(from source: String, rate: Double) {
            for (target, behaviour, share) in [
                (primaryWorkload, primary, 1 - canaryWeight), (canaryWorkload, canary, canaryWeight),
            ] {
                edges.append(TrafficEdge(
                    from: source, to: target.name, requestsPerSecond: rate * share,
                    errorShare: behaviour.errorShare, latency: behaviour.latency,
                    successOutcomes: [
                        .ok(weight: 1 - behaviour.notFoundShare), .notFound(weight: behaviour.notFoundShare),
                    ],
                    errorOutcomes: [.unavailable(weight: 0.6), .internalError(weight: 0.4)]))
            }
        }
        for source in sources { call(from: source, rate: requestsPerSecond) }
        for source in idleSources { call(from: source, rate: 0) }
        return MeshTopology(
            workloads: (sources + idleSources).map(client) + [primaryWorkload, canaryWorkload], edges: edges)
    }
}
