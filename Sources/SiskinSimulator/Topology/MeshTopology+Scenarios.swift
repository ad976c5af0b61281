/// Ready-made meshes. They are ordinary `MeshTopology` values: tweak the result freely.
extension MeshTopology {
    /// The mesh behind `Tests/Fixtures/envoy-sidecar-sample.txt`: the ingress gateway
    /// calling a single `podinfo` workload (canonical revision v1) in namespace `test`,
    /// answering 200 mostly, some 404 and a few 503.
    public static func fixtureScale(podinfoPods: Int = 2, requestsPerSecond: Double = 40) -> MeshTopology {
        let gateway = Workload.ingressGateway()
        let podinfo = Workload(
            name: "podinfo", namespace: "test", canonicalService: "podinfo", canonicalRevision: "v1",
            app: "podinfo", service: ServicePort(name: "podinfo", namespace: "test", port: 9898),
            podCount: podinfoPods)
        let edge = TrafficEdge(
            from: gateway.name, to: podinfo.name, requestsPerSecond: requestsPerSecond, errorShare: 0.005,
            latency: .latency(medianMs: 16, p99Ms: 140),
            successOutcomes: [.ok(weight: 0.978), .notFound(weight: 0.022)],
            errorOutcomes: [.unavailable()])
        return MeshTopology(workloads: [gateway, podinfo], edges: [edge])
    }

    /// A Flagger-style canary of podinfo: `podinfo-primary` (revision v1, `primaryPods`
    /// pods) and `podinfo-canary` (revision v2, one pod, `canaryLatencyFactor` times slower
    /// and with more errors), both canonical service `podinfo` in namespace `test`.
    ///
    /// Traffic: the ingress gateway, a gRPC `loadtester` and `clients` synthetic HTTP
    /// client workloads call podinfo (90 % primary, 10 % canary); podinfo calls `backends`
    /// backend services (alternating HTTP and gRPC) and Redis over TCP. `bystanders` adds
    /// services nobody here calls, which only add Envoy clusters (as in a real mesh, where
    /// every proxy knows every service).
    public static func podinfoCanary(
        clients: Int = 3,
        backends: Int = 2,
        bystanders: Int = 0,
        primaryPods: Int = 3,
        clientPods: Int = 2,
        canaryLatencyFactor: Double = 2,
        clientRequestsPerSecond: Double = 20
    ) -> MeshTopology {
        let namespace = "test"
        func podinfo(_ name: String, revision: String, pods: Int) -> Workload {
            Workload(
                name: name, namespace: namespace, canonicalService: "podinfo", canonicalRevision: revision,
                app: "podinfo", version: revision, serviceAccount: "podinfo",
                service: ServicePort(name: name, namespace: namespace, port: 9898), podCount: pods)
        }
        let primary = podinfo("podinfo-primary", revision: "v1", pods: primaryPods)
        let canary = podinfo("podinfo-canary", revision: "v2", pods: 1)
        let gateway = Workload.ingressGateway()
        let loadtester = Workload(
            name: "flagger-loadtester", namespace: namespace, canonicalRevision: "v0.31.0",
            version: "v0.31.0", serviceAccount: "flagger-loadtester", podCount: 1)
        let redis = Workload(
            name: "redis", namespace: namespace, canonicalRevision: "7.2", version: "7.2", serviceAccount: "redis",
            service: ServicePort(name: "redis", namespace: namespace, port: 6379), podCount: 1)

        let clientWorkloads = (0..<clients).map { index -> Workload in
            let (name, clientNamespace) = syntheticName(index, role: .client)
            return Workload(
                name: name, namespace: clientNamespace, canonicalRevision: "v\(1 + index % 3)",
                version: "v\(1 + index % 3)", serviceAccount: name,
                service: ServicePort(name: name, namespace: clientNamespace, port: 8080), podCount: clientPods)
        }
        let backendWorkloads = (0..<backends).map { index -> Workload in
            let (name, backendNamespace) = syntheticName(index, role: .backend)
            return Workload(
                name: name, namespace: backendNamespace, canonicalRevision: "v1", version: "v1", serviceAccount: name,
                service: ServicePort(name: name, namespace: backendNamespace, port: index % 2 == 0 ? 8080 : 9090),
                podCount: 2)
        }
        let bystanderWorkloads = (0..<bystanders).map { index -> Workload in
            let (name, bystanderNamespace) = syntheticName(index, role: .bystander)
            return Workload(
                name: name, namespace: bystanderNamespace, serviceAccount: name,
                service: ServicePort(name: name, namespace: bystanderNamespace, port: 80), podCount: 1)
        }

        let primaryLatency = LogNormalDistribution.latency(medianMs: 18, p99Ms: 220)
        let inboundSuccess: [ResponseOutcome] = [.ok(weight: 0.97), .notFound(weight: 0.03)]
        let inboundErrors: [ResponseOutcome] = [
            .unavailable(weight: 0.5), .internalError(weight: 0.3), .upstreamConnectFailure(weight: 0.2),
        ]
        var edges: [TrafficEdge] = []
        func callPodinfo(from source: String, rps: Double, requestProtocol: RequestProtocol = .http) {
            edges.append(TrafficEdge(
                from: source, to: primary.name, requestsPerSecond: rps * 0.9, errorShare: 0.01,
                latency: primaryLatency, requestProtocol: requestProtocol,
                successOutcomes: inboundSuccess, errorOutcomes: inboundErrors))
            edges.append(TrafficEdge(
                from: source, to: canary.name, requestsPerSecond: rps * 0.1, errorShare: 0.03,
                latency: primaryLatency.scaled(by: canaryLatencyFactor), requestProtocol: requestProtocol,
                successOutcomes: inboundSuccess, errorOutcomes: inboundErrors))
        }
        callPodinfo(from: gateway.name, rps: 60)
        callPodinfo(from: loadtester.name, rps: 10, requestProtocol: .grpc)
        for client in clientWorkloads {
            callPodinfo(from: client.name, rps: clientRequestsPerSecond)
        }
        for (index, backend) in backendWorkloads.enumerated() {
            for caller in [primary, canary] {
                edges.append(TrafficEdge(
                    from: caller.name, to: backend.name,
                    requestsPerSecond: (caller.name == primary.name ? 40 : 5),
                    errorShare: 0.01,
                    latency: .latency(medianMs: 4 + Double(index % 5), p99Ms: 60),
                    requestProtocol: index % 2 == 0 ? .http : .grpc,
                    successOutcomes: [.ok()],
                    errorOutcomes: [.upstreamConnectFailure(weight: 0.3), .internalError(weight: 0.7)],
                    requestSize: .bytes(median: 240, p99: 1_500),
                    responseSize: .bytes(median: 900, p99: 20_000)))
            }
        }
        let tcpEdges = [primary, canary].map {
            TCPEdge(from: $0.name, to: redis.name, connectionsPerSecond: $0.podCount > 1 ? 2 : 0.5)
        }
        return MeshTopology(
            workloads: [gateway, loadtester] + clientWorkloads + [primary, canary] + backendWorkloads + [redis]
                + bystanderWorkloads,
            edges: edges, tcpEdges: tcpEdges)
    }

    enum SyntheticRole {
        case client, backend, bystander
    }

    /// Plausible, distinct workload names and namespaces for generated meshes.
    static func syntheticName(_ index: Int, role: SyntheticRole) -> (name: String, namespace: String) {
        let words: [String]
        let namespaces: [String]
        switch role {
        case .client:
            words = [
                "storefront", "checkout", "mobile-bff", "partner-api", "admin-console", "search",
                "recommender", "orders", "notifier", "billing", "importer", "fraud-check", "portal",
                "inventory", "shipping", "loyalty", "reviews", "pricing", "sessions", "analytics",
                "returns", "campaigns", "chatbot", "subscriptions",
            ]
            namespaces = ["shop", "payments", "identity", "orders", "growth", "web"]
        case .backend:
            words = [
                "user-profile", "product-catalog", "payment-gateway", "ledger", "feature-flags",
                "geo-lookup", "email-sender", "image-resizer", "tax-calculator", "currency-rates",
            ]
            namespaces = ["platform", "payments", "shared-services"]
        case .bystander:
            words = [
                "kafka-connect", "grafana", "keycloak", "vault-agent-injector", "cert-manager-webhook",
                "argo-server", "jaeger-query", "kiali", "opa-gatekeeper", "elasticsearch-coordinating",
                "minio-console", "temporal-frontend", "nats-box", "clickhouse-operator",
            ]
            namespaces = ["infra", "observability", "security", "data"]
        }
        let round = index / words.count
        let name = words[index % words.count] + (round == 0 ? "" : "-\(round + 1)")
        return (name, namespaces[index % namespaces.count])
    }
}
