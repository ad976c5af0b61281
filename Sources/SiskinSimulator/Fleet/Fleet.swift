/// Many sidecars advancing together through one deterministic stream of mesh traffic.
///
/// Every request is generated once per pod pair and recorded in both proxies (as
/// reporter="source" at the client's sidecar and reporter="destination" at the server's),
/// so source and destination views agree exactly, apart from requests that never reached
/// the destination (UF). The same topology, seed, pod selection and sequence of
/// `advance`/`restart` calls always produce byte-identical scrapes; changing *which* other
/// pods are simulated never changes a pod's scrape.
public struct Fleet: Sendable {
    /// The mesh being simulated.
    public let topology: MeshTopology
    /// Root of every random stream; the same seed replays the same traffic.
    public let seed: UInt64
    /// Simulated sidecars, in topology order (workload by workload, pod by pod).
    public private(set) var sidecars: [Sidecar]
    /// Simulated seconds since creation.
    public private(set) var clock: Double = 0
    /// Number of `advance` calls with a positive duration; part of every random stream.
    public private(set) var step: UInt64 = 0
    /// Index in `sidecars` of the pod a preset is about (0 unless a preset says otherwise).
    public internal(set) var focusIndex = 0

    var httpPlans: [HTTPEdgePlan]
    let tcpPlans: [TCPEdgePlan]
    let sidecarIndexByPod: [String: Int]
    /// Open TCP connections per (plan, source pod, destination pod).
    var openConnections: [Int: UInt64] = [:]

    /// Builds sidecars for the selected pods and precomputes every edge's labels and
    /// samplers. The topology must be valid (`validationErrors` empty).
    public init(
        topology: MeshTopology, seed: UInt64, simulating selection: PodSelection = .all,
        options: SidecarOptions = SidecarOptions()
    ) {
        let errors = topology.validationErrors
        precondition(errors.isEmpty, "invalid topology: \(errors.joined(separator: "; "))")
        self.topology = topology
        self.seed = seed

        var sidecars: [Sidecar] = []
        var sidecarOfPod: [String: [Int?]] = [:]
        var globalPodIndex: UInt64 = 0
        for workload in topology.workloads {
            var row: [Int?] = []
            for pod in workload.pods {
                if selection.includes(pod) {
                    row.append(sidecars.count)
                    sidecars.append(Sidecar(
                        pod: pod, topology: topology, options: options,
                        seed: SplitMix64.derive(seed, 7, globalPodIndex)))
                } else {
                    row.append(nil)
                }
                globalPodIndex += 1
            }
            sidecarOfPod[workload.name] = row
        }

        var samplers: [SamplerKey: HistogramSampler] = [:]
        func sampler(_ distribution: LogNormalDistribution, quantum: UInt64) -> HistogramSampler {
            let key = SamplerKey(distribution: distribution, quantum: quantum)
            if let existing = samplers[key] { return existing }
            let made = HistogramSampler(distribution, quantum: quantum)
            samplers[key] = made
            return made
        }

        var httpPlans: [HTTPEdgePlan] = []
        for (edgeIndex, edge) in topology.edges.enumerated() {
            guard let source = topology.workload(named: edge.source),
                let destination = topology.workload(named: edge.destination),
                let service = destination.service,
                let sourceSidecars = sidecarOfPod[source.name],
                let destinationSidecars = sidecarOfPod[destination.name]
            else { continue }
            let sourceRoutes = sourceSidecars.map {
                $0.map { sidecars[$0].outboundRoute(to: service, requestProtocol: edge.requestProtocol) } ?? .none
            }
            let destinationRoutes = destinationSidecars.map {
                $0.map { sidecars[$0].inboundRoute(for: service, requestProtocol: edge.requestProtocol) } ?? .none
            }
            var outcomes: [HTTPEdgePlan.Outcome] = []
            var weights: [Double] = []
            for (outcome, probability) in edge.outcomeProbabilities {
                let status = outcome.printedStatus(for: edge.requestProtocol)
                func labels(_ reporter: String) -> IstioRequestLabels {
                    IstioRequestLabels(
                        reporter: reporter, source: source, destination: destination,
                        requestProtocol: edge.requestProtocol.rawValue, responseCode: status.responseCode,
                        grpcResponseStatus: status.grpcStatus,
                        responseFlags: outcome.responseFlags,
                        connectionSecurityPolicy: edge.connectionSecurityPolicy)
                }
                let sourceLabels = labels("source")
                let destinationLabels = labels("destination")
                let sourceSlots = sourceSidecars.map { $0.map { sidecars[$0].httpSlot(for: sourceLabels) } ?? -1 }
                let destinationSlots = destinationSidecars.map {
                    guard let index = $0, outcome.reachesDestination else { return -1 }
                    return sidecars[index].httpSlot(for: destinationLabels)
                }
                let latency = edge.latency.scaled(by: outcome.latencyScale)
                outcomes.append(HTTPEdgePlan.Outcome(
                    reachesDestination: outcome.reachesDestination,
                    sourceDuration: sampler(latency.scaled(by: edge.sourceLatencyFactor), quantum: 1),
                    destinationDuration: sampler(latency, quantum: 1),
                    requestSize: sampler(edge.requestSize, quantum: 100),
                    responseSize: sampler(outcome.responseSize ?? edge.responseSize, quantum: 100),
                    sourceSlots: sourceSlots, destinationSlots: destinationSlots))
                weights.append(probability)
            }
            httpPlans.append(HTTPEdgePlan(
                edgeIndex: edgeIndex,
                ratePerPodPair: edge.requestsPerSecond / Double(source.podCount * destination.podCount),
                sourceSidecars: sourceSidecars, destinationSidecars: destinationSidecars,
                sourceRoutes: sourceRoutes, destinationRoutes: destinationRoutes,
                outcomes: outcomes, weights: weights))
        }

        var tcpPlans: [TCPEdgePlan] = []
        for (edgeIndex, edge) in topology.tcpEdges.enumerated() {
            guard let source = topology.workload(named: edge.source),
                let destination = topology.workload(named: edge.destination),
                let service = destination.service,
                let sourceSidecars = sidecarOfPod[source.name],
                let destinationSidecars = sidecarOfPod[destination.name]
            else { continue }
            func labels(_ reporter: String) -> IstioRequestLabels {
                IstioRequestLabels(
                    reporter: reporter, source: source, destination: destination, requestProtocol: "tcp",
                    responseCode: "", grpcResponseStatus: "", responseFlags: edge.responseFlags,
                    connectionSecurityPolicy: edge.connectionSecurityPolicy)
            }
            let sourceLabels = labels("source")
            let destinationLabels = labels("destination")
            tcpPlans.append(TCPEdgePlan(
                edgeIndex: edgeIndex,
                connectionsPerPodPair: edge.connectionsPerSecond / Double(source.podCount * destination.podCount),
                meanConnectionSeconds: edge.meanConnectionSeconds,
                sentBytes: sampler(edge.sentBytesPerConnection, quantum: 100),
                receivedBytes: sampler(edge.receivedBytesPerConnection, quantum: 100),
                sourceSidecars: sourceSidecars, destinationSidecars: destinationSidecars,
                sourceRoutes: sourceSidecars.map {
                    $0.map { sidecars[$0].outboundRoute(to: service, requestProtocol: nil) } ?? .none
                },
                destinationRoutes: destinationSidecars.map {
                    $0.map { sidecars[$0].inboundRoute(for: service, requestProtocol: nil) } ?? .none
                },
                sourceSlots: sourceSidecars.map { $0.map { sidecars[$0].tcpSlot(for: sourceLabels) } ?? -1 },
                destinationSlots: destinationSidecars.map { $0.map { sidecars[$0].tcpSlot(for: destinationLabels) } ?? -1 }))
        }

        self.sidecars = sidecars
        self.httpPlans = httpPlans
        self.tcpPlans = tcpPlans
        self.sidecarIndexByPod = Dictionary(uniqueKeysWithValues: sidecars.enumerated().map { ($1.pod.name, $0) })
    }

    // MARK: Simulation

    /// Generates `seconds` of traffic for every simulated pod: per pod pair a Poisson
    /// number of requests, split over outcomes, with latencies and sizes sampled into the
    /// histograms; TCP connections open, close and move bytes. Clocks move first.
    public mutating func advance(by seconds: Double) {
        precondition(seconds >= 0 && seconds.isFinite, "time only moves forward")
        guard seconds > 0 else { return }
        step &+= 1
        clock += seconds
        for index in sidecars.indices {
            sidecars[index].advanceClock(by: seconds)
        }
        generateHTTPTraffic(seconds: seconds)
        generateTCPTraffic(seconds: seconds)
    }

    private mutating func generateHTTPTraffic(seconds: Double) {
        var outcomeCounts: [UInt64] = []
        var batch = HTTPCounts()
        for plan in httpPlans {
            let mean = plan.ratePerPodPair * seconds
            guard mean > 0 else { continue }
            for (sourcePod, sourceSidecar) in plan.sourceSidecars.enumerated() {
                for (destinationPod, destinationSidecar) in plan.destinationSidecars.enumerated() {
                    if sourceSidecar == nil && destinationSidecar == nil { continue }
                    let pairSeed = SplitMix64.derive(
                        seed, 1, UInt64(plan.edgeIndex), UInt64(sourcePod), UInt64(destinationPod), step)
                    var rng = Xoshiro256StarStar(seed: pairSeed)
                    let requests = rng.nextPoisson(mean: mean)
                    guard requests > 0 else { continue }
                    rng.apportion(requests, weights: plan.weights, into: &outcomeCounts)
                    for (index, outcome) in plan.outcomes.enumerated() where outcomeCounts[index] > 0 {
                        let count = outcomeCounts[index]
                        batch.reset()
                        batch.requests = count
                        // Both proxies see the same payloads; each measures its own latency.
                        var bytesRNG = Xoshiro256StarStar(seed: SplitMix64.derive(pairSeed, 4, UInt64(index)))
                        outcome.requestSize.sample(count: count, using: &bytesRNG, into: &batch.requestBytes)
                        outcome.responseSize.sample(count: count, using: &bytesRNG, into: &batch.responseBytes)
                        if let sidecar = sourceSidecar {
                            var latencyRNG = Xoshiro256StarStar(seed: SplitMix64.derive(pairSeed, 2, UInt64(index)))
                            batch.duration.reset()
                            outcome.sourceDuration.sample(count: count, using: &latencyRNG, into: &batch.duration)
                            sidecars[sidecar].record(batch, into: outcome.sourceSlots[sourcePod], route: plan.sourceRoutes[sourcePod])
                        }
                        if let sidecar = destinationSidecar, outcome.reachesDestination {
                            var latencyRNG = Xoshiro256StarStar(seed: SplitMix64.derive(pairSeed, 3, UInt64(index)))
                            batch.duration.reset()
                            outcome.destinationDuration.sample(count: count, using: &latencyRNG, into: &batch.duration)
                            sidecars[sidecar].record(
                                batch, into: outcome.destinationSlots[destinationPod],
                                route: plan.destinationRoutes[destinationPod])
                        }
                    }
                }
            }
        }
    }

    private mutating func generateTCPTraffic(seconds: Double) {
        for (planIndex, plan) in tcpPlans.enumerated() {
            let closeProbability = 1 - LibM.exp(-seconds / plan.meanConnectionSeconds)
            for (sourcePod, sourceSidecar) in plan.sourceSidecars.enumerated() {
                for (destinationPod, destinationSidecar) in plan.destinationSidecars.enumerated() {
                    if sourceSidecar == nil && destinationSidecar == nil { continue }
                    var rng = Xoshiro256StarStar(seed: SplitMix64.derive(
                        seed, 5, UInt64(plan.edgeIndex), UInt64(sourcePod), UInt64(destinationPod), step))
                    let key = Self.connectionKey(planIndex, sourcePod, destinationPod)
                    let openBefore = openConnections[key] ?? 0
                    let opened = rng.nextPoisson(mean: plan.connectionsPerPodPair * seconds)
                    let closed = min(openBefore + opened, rng.roundStochastically(Double(openBefore + opened) * closeProbability))
                    let openAfter = openBefore + opened - closed
                    openConnections[key] = openAfter
                    // Bytes flow in proportion to connection-time: one "connection's worth"
                    // per mean lifetime of an open connection.
                    let lifetimes = rng.roundStochastically(
                        Double(openBefore + openAfter) / 2 * seconds / plan.meanConnectionSeconds + Double(opened) / 2)
                    let counts = TCPCounts(
                        connectionsOpened: opened, connectionsClosed: closed,
                        sentBytes: plan.sentBytes.sampleTotal(count: lifetimes, using: &rng),
                        receivedBytes: plan.receivedBytes.sampleTotal(count: lifetimes, using: &rng))
                    if counts.isZero { continue }
                    if let sidecar = sourceSidecar {
                        sidecars[sidecar].record(counts, into: plan.sourceSlots[sourcePod], route: plan.sourceRoutes[sourcePod])
                    }
                    if let sidecar = destinationSidecar {
                        sidecars[sidecar].record(
                            counts, into: plan.destinationSlots[destinationPod], route: plan.destinationRoutes[destinationPod])
                    }
                }
            }
        }
    }

    static func connectionKey(_ plan: Int, _ sourcePod: Int, _ destinationPod: Int) -> Int {
        (plan << 40) | (sourcePod << 20) | destinationPod
    }

    /// Restarts the Envoy of the named pod (see `Sidecar.restart()`); its TCP connections
    /// drop. Returns false if that pod is not simulated.
    @discardableResult
    public mutating func restart(pod name: String) -> Bool {
        guard let index = sidecarIndexByPod[name] else { return false }
        sidecars[index].restart()
        for (planIndex, plan) in tcpPlans.enumerated() {
            for (sourcePod, sourceSidecar) in plan.sourceSidecars.enumerated() {
                for (destinationPod, destinationSidecar) in plan.destinationSidecars.enumerated()
                where sourceSidecar == index || destinationSidecar == index {
                    openConnections[Self.connectionKey(planIndex, sourcePod, destinationPod)] = nil
                }
            }
        }
        return true
    }

    /// Restarts the focus pod's Envoy.
    public mutating func restartFocus() {
        restart(pod: focus.pod.name)
    }

    // MARK: Access

    /// The sidecar of the named pod, if simulated.
    public func sidecar(pod name: String) -> Sidecar? {
        sidecarIndexByPod[name].map { sidecars[$0] }
    }

    /// The sidecar a preset is about (the first simulated one by default).
    public var focus: Sidecar { sidecars[focusIndex] }

    /// Names of the simulated pods, in `sidecars` order.
    public var podNames: [String] { sidecars.map(\.pod.name) }

    /// The scrape body of the named pod.
    public func render(pod name: String) -> [UInt8]? {
        sidecar(pod: name)?.render()
    }

    // MARK: Ground truth across sidecars

    /// Requests over all simulated sidecars. Remember each request is reported once by
    /// each simulated end: add `"reporter": ...` to the predicate to count it once.
    public func requests(matching predicate: [String: String] = [:], scope: TruthScope = .sinceCreation) -> UInt64 {
        sidecars.reduce(0) { $0 &+ $1.requests(matching: predicate, scope: scope) }
    }

    /// A histogram summed over all simulated sidecars.
    public func histogram(
        _ metric: IstioHistogram = .requestDuration, matching predicate: [String: String] = [:],
        scope: TruthScope = .sinceCreation
    ) -> HistogramCounts {
        var total = HistogramCounts()
        for sidecar in sidecars {
            total.add(sidecar.histogram(metric, matching: predicate, scope: scope))
        }
        return total
    }

    /// TCP counters summed over all simulated sidecars.
    public func tcpCounts(matching predicate: [String: String] = [:], scope: TruthScope = .sinceCreation) -> TCPCounts {
        var total = TCPCounts()
        for sidecar in sidecars {
            total.add(sidecar.tcpCounts(matching: predicate, scope: scope))
        }
        return total
    }
}
