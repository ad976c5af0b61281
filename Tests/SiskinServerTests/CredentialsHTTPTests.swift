import Foundation
import SiskinAggregation
import SiskinIngest
import SiskinServer
import SiskinTesting
import SiskinWire
import Testing

/// Push and read credentials on the main port over real HTTP: a push token
/// cannot read, a read token cannot push, a namespace-scoped push token
/// cannot write another namespace, and reading stays open when no read
/// tokens are configured (docs/aggregator.md, "Credentials").
@Suite("Push and read credentials over HTTP", .serialized)
struct CredentialsHTTPTests {
    static let pushToken = "push-0123456789abcdef"
    static let teamAToken = "push-team-a-fedcba9876543210"
    static let readToken = "read-0123456789abcdef"

    /// Every read endpoint family: Prometheus API, native API, canary, pages' data.
    static let readPaths = [
        "/api/v1/query?query=up", "/api/v1/labels", "/api/v1/status/buildinfo",
        "/api/v1/siskin/workloads", "/api/v1/siskin/workload?namespace=test&workload=w",
        "/api/v1/siskin/canary/history", "/api/v1/siskin/canary/judge?namespace=test&canary=w&primary=w-primary",
        "/api/v1/siskin/fleet", "/api/v1/siskin/workload/trend?namespace=test&workload=w",
        // Spelled oddly: never open by accident.
        "//api/v1/siskin/workloads", "/no/such/path",
    ]
    static let openPaths = ["/healthz", "/readyz", "/-/healthy", "/-/ready", "/metrics", "/"]

    func start(read: Bool) async throws -> RunningServer {
        let push = try BearerTokens(fileContents: "\(Self.pushToken)\n\(Self.teamAToken) namespaces=team-a\n")
        let readTokens = read ? BearerTokens(tokens: [Self.readToken]) : .open
        return try await RunningServer.start(configuration: ServerConfiguration(access: AccessControl(push: push, read: readTokens)))
    }

    func push(_ server: RunningServer, namespace: String = "test", token: String?) async throws -> TestHTTP.Reply {
        var pod = SimulatedPod(pod: "p-\(namespace)", namespace: namespace, workload: "w", revision: "v1")
        var headers = [("Content-Type", WireFormat.contentType)]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try await TestHTTP.post(server.baseURL + WireFormat.ingestPath, body: try pod.body(at: ServerClock.nowMilliseconds()),
                                       headers: headers)
    }

    func get(_ server: RunningServer, _ path: String, token: String?) async throws -> TestHTTP.Reply {
        let headers = token.map { [("Authorization", "Bearer \($0)")] } ?? []
        return try await TestHTTP.send(.init(method: .get, url: server.baseURL + path, headers: headers))
    }

    @Test("push token pushes and cannot read (403); read token reads and cannot push (403); none or unknown is 401")
    func matrix() async throws {
        let server = try await start(read: true)
        // Pushing.
        #expect(try await push(server, token: Self.pushToken).status == 202)
        let readPushing = try await push(server, token: Self.readToken)
        #expect(readPushing.status == 403)
        #expect(readPushing.body.contains("read token: it cannot push"))
        #expect(try await push(server, token: nil).status == 401)
        #expect(try await push(server, token: "nonsense").status == 401)
        #expect(server.database.read { $0.podCount } == 1)
        // Reading.
        for path in Self.readPaths {
            let withRead = try await get(server, path, token: Self.readToken)
            #expect(withRead.status != 401 && withRead.status != 403, "\(path) with the read token: \(withRead.status) \(withRead.body)")
            let withPush = try await get(server, path, token: Self.pushToken)
            #expect(withPush.status == 403, "\(path) with the push token: \(withPush.status)")
            #expect(withPush.body.contains("push token: it cannot read"), "\(path)")
            let without = try await get(server, path, token: nil)
            #expect(without.status == 401, "\(path) without a token: \(without.status)")
            #expect(try await get(server, path, token: Self.readToken + "x").status == 401, "\(path)")
        }
        // The real answers, not only their status.
        let inventory = try await get(server, "/api/v1/siskin/workloads", token: Self.readToken)
        #expect(inventory.status == 200)
        #expect(inventory.body.contains("p-test"))
        let query = try await get(server, "/api/v1/query?query=count(istio_requests_total)", token: Self.readToken)
        #expect(query.status == 200)
        #expect(query.body.contains("\"status\":\"success\""))
        // Basic auth with the read token as password, as Flagger's MetricTemplates send it.
        let basic = "Basic " + Data("flagger:\(Self.readToken)".utf8).base64EncodedString()
        let flagger = try await TestHTTP.send(.init(method: .get, url: server.baseURL + "/api/v1/query?query=count(istio_requests_total)",
                                                    headers: [("Authorization", basic)]))
        #expect(flagger.status == 200)
        #expect(flagger.body == query.body)
        let basicPush = "Basic " + Data("flagger:\(Self.pushToken)".utf8).base64EncodedString()
        #expect(try await TestHTTP.send(.init(method: .get, url: server.baseURL + "/api/v1/labels",
                                              headers: [("Authorization", basicPush)])).status == 403)
        // Flagger's webhook is a read endpoint too.
        let webhook = try await TestHTTP.send(.init(method: .post, url: server.baseURL + "/api/v1/siskin/flagger/judge",
                                                    headers: [("Content-Type", "application/json")],
                                                    body: Array(#"{"name":"w","namespace":"test"}"#.utf8)))
        #expect(webhook.status == 401)
        // Probes, /metrics and the page need nothing.
        for path in Self.openPaths {
            #expect(try await get(server, path, token: nil).status == 200, "\(path)")
        }
        let metrics = try await get(server, "/metrics", token: nil).body
        #expect(metrics.contains("siskin_pushes_rejected_total{reason=\"read_token\"} 1"))
        #expect(metrics.contains("siskin_pushes_rejected_total{reason=\"unauthorized\"} 2"))
        #expect(metrics.contains("siskin_reads_rejected_total{reason=\"push_token\"} \(Self.readPaths.count + 1)"))
        await server.stop()
    }

    @Test("a namespace-scoped push token writes its namespace and is refused 403 for another, counted in /metrics")
    func namespaceScope() async throws {
        let server = try await start(read: false)
        #expect(try await push(server, namespace: "team-a", token: Self.teamAToken).status == 202)
        let other = try await push(server, namespace: "team-b", token: Self.teamAToken)
        #expect(other.status == 403)
        #expect(other.body.contains("may not push namespace 'team-b' (allowed: team-a)"))
        // Nor through labels: a team-a pod claiming to have served team-b's workload.
        var forger = SimulatedPod(pod: "forger", namespace: "team-a", workload: "w", revision: "v1")
        var summary = forger.summary(at: ServerClock.nowMilliseconds())
        summary.families[0].series.append(SummarySeries(
            labels: [Label("destination_workload", "checkout"), Label("destination_workload_namespace", "team-b"),
                     Label("reporter", "destination")], value: .counter(.integer(1_000))))
        let forged = try await TestHTTP.post(server.baseURL + WireFormat.ingestPath,
                                             body: try SummaryEncoder().encode(summary).bytes,
                                             headers: [("Content-Type", WireFormat.contentType),
                                                       ("Authorization", "Bearer \(Self.teamAToken)")])
        #expect(forged.status == 403)
        #expect(forged.body.contains("destination_workload_namespace=\"team-b\""), "\(forged.body)")
        // The unrestricted push token writes anywhere.
        #expect(try await push(server, namespace: "team-b", token: Self.pushToken).status == 202)
        let namespaces = server.database.read { store in Set(store.livePods.map(\.key.namespace)) }
        #expect(namespaces == ["team-a", "team-b"])
        let pods = server.database.read { store in store.livePods.map(\.key.pod).sorted() }
        #expect(pods == ["p-team-a", "p-team-b"])
        let metrics = try await get(server, "/metrics", token: nil).body
        #expect(metrics.contains("siskin_pushes_rejected_total{reason=\"namespace_forbidden\"} 2"))
        await server.stop()
    }

    @Test("without read tokens reading is open: no header, any header, even a push token")
    func openReading() async throws {
        let server = try await start(read: false)
        #expect(try await push(server, token: Self.pushToken).status == 202)
        for path in Self.readPaths where !path.hasPrefix("//") && path != "/no/such/path" {
            for token in [nil, Self.pushToken, "anything"] as [String?] {
                let reply = try await get(server, path, token: token)
                #expect(reply.status != 401 && reply.status != 403, "\(path) with \(token ?? "no token"): \(reply.status)")
            }
        }
        // Pushing still needs a push token.
        #expect(try await push(server, token: nil).status == 401)
        await server.stop()
    }
}
