import SiskinAggregation
import SiskinIngest
import SiskinQuery
import SiskinStore
import SiskinTesting
import Testing

@Suite("Inventory: what the aggregator has seen")
struct InventoryTests {
    /// Pushes of several kinds of pod every 5 s up to `now`.
    func inventory() -> Inventory {
        var store = WindowedStore()
        // Serves requests: identity from its inbound series, not its labels.
        var primary = IstioPod(pod: "podinfo-primary-7d9c8b6f5d-x2x9k", namespace: "test", workload: "podinfo-primary")
        primary.revision = "v2"
        primary.podLabels = [Label("app", "podinfo"), Label("version", "v9")]
        primary.metadata = [Label("agent_version", "0.3.1")]
        primary.serve(10)
        // Another pod of the same workload on the older revision, silent for 25 s.
        var older = IstioPod(pod: "podinfo-primary-5c6d7e8f9a-abcde", namespace: "test", workload: "podinfo-primary")
        older.serve(10)
        // Only a client: identity from its name and labels.
        var client = IstioPod(pod: "loadtester-5f6d7c8b9-q2w3e", namespace: "test", workload: "podinfo-primary")
        client.reporter = "source"
        client.podLabels = [Label("app.kubernetes.io/version", "1.4"), Label("service.istio.io/canonical-revision", "v3")]
        client.serve(10)
        // No requests, no Deployment-style name.
        var stateful = IstioPod(pod: "web-0", namespace: "shop", workload: "")
        stateful.podLabels = [Label("app.kubernetes.io/version", "1.2")]
        var idle = IstioPod(pod: "idle-7d9c8b6f5d-abcde", namespace: "shop", workload: "")
        var odd = IstioPod(pod: "my-app-abc-x2x9k", namespace: "shop", workload: "")

        for i in 0...4 {
            let t = t0 + Int64(i) * 5_000
            store.push(primary.push(at: t))
            store.push(client.push(at: t))
            store.push(stateful.push(at: t))
            store.push(idle.push(at: t))
            store.push(odd.push(at: t))
            if i < 2 { store.push(older.push(at: t)) }
        }
        return Inventory(store: store, now: t0 + 30_000)
    }

    @Test("a serving pod's workload and revision come from its inbound series")
    func identityFromSeries() throws {
        let pod = try #require(inventory().pods.first { $0.pod == "podinfo-primary-7d9c8b6f5d-x2x9k" })
        #expect(pod.workload == "podinfo-primary")
        #expect(pod.revision == "v2")
        #expect(pod.agentVersion == "0.3.1")
        #expect(pod.agentInstance == "agent-1")
        #expect(pod.sequence == 5)
        #expect(pod.series == 1)
        #expect(pod.labels == ["app": "podinfo", "version": "v9"])
        #expect(pod.lastPushAgeSeconds == 10)
        #expect(pod.pushIntervalSeconds == 5)
        #expect(pod.fresh)
    }

    @Test("without inbound series the workload comes from the pod name and the revision from its labels")
    func identityFromName() throws {
        let pods = inventory().pods
        let client = try #require(pods.first { $0.pod == "loadtester-5f6d7c8b9-q2w3e" })
        #expect(client.workload == "loadtester")
        #expect(client.revision == "v3")
        let stateful = try #require(pods.first { $0.pod == "web-0" })
        #expect(stateful.workload == "web-0")
        #expect(stateful.revision == "1.2")
        let idle = try #require(pods.first { $0.pod == "idle-7d9c8b6f5d-abcde" })
        #expect(idle.workload == "idle")
        #expect(idle.revision == "latest")
        #expect(idle.agentVersion == nil)
        let odd = try #require(pods.first { $0.pod == "my-app-abc-x2x9k" })
        #expect(odd.workload == "my-app-abc-x2x9k")
    }

    @Test("workloads group their pods and revisions; pods silent for over three intervals are not fresh")
    func workloads() throws {
        let inventory = inventory()
        #expect(inventory.pods.map(\.pod) == [
            "idle-7d9c8b6f5d-abcde", "my-app-abc-x2x9k", "web-0",
            "loadtester-5f6d7c8b9-q2w3e", "podinfo-primary-5c6d7e8f9a-abcde", "podinfo-primary-7d9c8b6f5d-x2x9k",
        ])
        let older = try #require(inventory.pods.first { $0.pod == "podinfo-primary-5c6d7e8f9a-abcde" })
        #expect(older.lastPushAgeSeconds == 25)
        #expect(!older.fresh)
        #expect(older.revision == "v1")
        #expect(inventory.workloads.map { "\($0.namespace)/\($0.workload)" } == [
            "shop/idle", "shop/my-app-abc-x2x9k", "shop/web-0", "test/loadtester", "test/podinfo-primary",
        ])
        let primary = try #require(inventory.workloads.first { $0.workload == "podinfo-primary" })
        #expect(primary.revisions == ["v1", "v2"])
        #expect(primary.pods == 2)
        #expect(primary.freshPods == 1)
        // The stale agent stands out by name, and the workload's oldest push is its.
        #expect(primary.stalePods == ["podinfo-primary-5c6d7e8f9a-abcde"])
        #expect(primary.oldestPushAgeSeconds == 25)
    }
}
