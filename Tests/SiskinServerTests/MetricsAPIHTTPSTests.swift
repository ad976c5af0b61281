import Foundation
import SiskinAggregation
import SiskinAutoscaling
import SiskinServer
import SiskinStore
import SiskinTesting
import Testing

/// The metrics APIs over real HTTPS on loopback: discovery, values, errors
/// and certificate rotation, with `curl` trusting only the test CA.
@Suite("Metrics APIs over HTTPS", .serialized)
struct MetricsAPIHTTPSTests {
    /// As the HPA's client sends it (client-go with protobuf preferred).
    static let kubernetesAccept = ("Accept", "application/vnd.kubernetes.protobuf, */*")

    /// A server with the metrics APIs on, certificates in a fresh directory.
    func start(reloadSeconds: Double = 5) async throws -> (RunningServer, TestTLS.Pair, String) {
        let directory = try BuiltExecutable.temporaryDirectory()
        let pair = try await TestTLS.selfSigned("siskin-a", in: directory)
        let certificates = try CertificateStore(certificateFile: pair.certificate, keyFile: pair.key)
        let configuration = ServerConfiguration(metricsAPI: MetricsAPIConfiguration(
            certificates: certificates, certificateReloadSeconds: reloadSeconds))
        return (try await RunningServer.start(configuration: configuration), pair, directory)
    }

    /// Two podinfo pods (10 and 30 requests per second) and a redis pod in
    /// namespace `test`, pushed every 5 s for the last two minutes.
    func feed(_ database: Database) {
        let now = ServerClock.nowMilliseconds()
        let start = now - 120_000
        var pods = [("podinfo-7d9c8b6f5d-bbbbb", "podinfo"), ("podinfo-7d9c8b6f5d-ccccc", "podinfo"),
                    ("redis-5c6d7e8f9a-fffff", "redis")].map { name, workload -> IstioPod in
            var pod = IstioPod(pod: name, namespace: "test", workload: workload)
            pod.podLabels = [Label("app", workload), Label("tier", workload == "redis" ? "data" : "web")]
            return pod
        }
        let perPush: [UInt64] = [50, 150, 25]
        var t = start
        while t <= now {
            for i in pods.indices {
                if t > start { pods[i].serve(perPush[i], latency: 12) }
                _ = database.ingest(pods[i].push(at: t), now: t)
            }
            t += 5_000
        }
    }

    @Test("discovery documents on every path the aggregation layer reads, JSON even when protobuf is preferred")
    func discovery() async throws {
        let (server, pair, directory) = try await start()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (path, kind) in [
            ("/apis", "APIGroupList"), ("/apis/custom.metrics.k8s.io", "APIGroup"),
            ("/apis/custom.metrics.k8s.io/v1beta2", "APIResourceList"), ("/apis/custom.metrics.k8s.io/v1beta1", "APIResourceList"),
            ("/apis/external.metrics.k8s.io", "APIGroup"), ("/apis/external.metrics.k8s.io/v1beta1", "APIResourceList"),
        ] {
            let reply = try await TestTLS.get(server.metricsAPIURL + path, caFile: pair.certificate, headers: [Self.kubernetesAccept])
            #expect(reply.status == 200, "\(path): \(reply.stderr)")
            #expect(reply.contentType == "application/json", "\(path)")
            #expect(try reply.json()["kind"] as? String == kind, "\(path): \(reply.body)")
        }
        let resources = try await TestTLS.get(server.metricsAPIURL + "/apis/custom.metrics.k8s.io/v1beta2", caFile: pair.certificate)
        let names = (try resources.json()["resources"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(names.contains("pods/istio_requests_per_second"))
        #expect(names.contains("deployments.apps/istio_request_error_ratio"))
        for probe in ["/healthz", "/readyz", "/livez"] {
            let reply = try await TestTLS.get(server.metricsAPIURL + probe, caFile: pair.certificate)
            #expect(reply.status == 200, "\(probe)")
        }
        // The main port still speaks plain HTTP and does not serve /apis.
        #expect(try await TestHTTP.get(server.baseURL + "/healthz").status == 200)
        #expect(try await TestHTTP.get(server.baseURL + "/apis").status == 404)
        await server.stop()
    }

    @Test("pod values for a URL-encoded label selector, one pod by name, and a Deployment")
    func values() async throws {
        let (server, pair, directory) = try await start()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        feed(server.database)
        let base = server.metricsAPIURL + "/apis/custom.metrics.k8s.io/v1beta2/namespaces/test"
        // tier in (web), app!=redis
        let list = try await TestTLS.get(
            base + "/pods/*/istio_requests_per_second?labelSelector=tier+in+%28web%29%2Capp%21%3Dredis",
            caFile: pair.certificate, headers: [Self.kubernetesAccept])
        #expect(list.status == 200, "\(list.body)")
        let items = try list.json()["items"] as? [[String: Any]] ?? []
        #expect(items.compactMap { ($0["describedObject"] as? [String: Any])?["name"] as? String }
            == ["podinfo-7d9c8b6f5d-bbbbb", "podinfo-7d9c8b6f5d-ccccc"])
        #expect(items.compactMap { $0["value"] as? String } == ["10", "30"])

        let one = try await TestTLS.get(base + "/pods/podinfo-7d9c8b6f5d-ccccc/istio_requests_per_second", caFile: pair.certificate)
        #expect((try one.json()["items"] as? [[String: Any]])?.first?["value"] as? String == "30")

        let v1beta1 = try await TestTLS.get(
            server.metricsAPIURL + "/apis/custom.metrics.k8s.io/v1beta1/namespaces/test/deployments.apps/podinfo/istio_requests_per_second",
            caFile: pair.certificate, headers: [("Accept", "application/json, */*")])
        let item = try #require((try v1beta1.json()["items"] as? [[String: Any]])?.first)
        #expect(item["value"] as? String == "40")
        #expect(item["metricName"] as? String == "istio_requests_per_second")
        #expect((item["describedObject"] as? [String: String])?["kind"] == "Deployment")

        let none = try await TestTLS.get(base + "/pods/*/istio_requests_per_second?labelSelector=app%3Dnothing", caFile: pair.certificate)
        #expect(none.status == 200)
        #expect((try none.json()["items"] as? [Any])?.isEmpty == true)
        await server.stop()
    }

    @Test("unknown metric or namespace: 404 Status NotFound; bad selector: 400 Status BadRequest")
    func errors() async throws {
        let (server, pair, directory) = try await start()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        feed(server.database)
        let base = server.metricsAPIURL + "/apis/custom.metrics.k8s.io/v1beta2/namespaces"
        for (path, code, reason) in [
            ("/test/pods/*/no_such_metric", 404, "NotFound"),
            ("/nowhere/pods/*/istio_requests_per_second", 404, "NotFound"),
            ("/test/pods/absent-pod/istio_requests_per_second", 404, "NotFound"),
            ("/test/pods/*/istio_requests_per_second?labelSelector=app+in+%28", 400, "BadRequest"),
            ("/test/nodes/x/istio_requests_per_second", 404, "NotFound"),
        ] {
            let reply = try await TestTLS.get(base + path, caFile: pair.certificate, headers: [Self.kubernetesAccept])
            let status = try reply.json()
            #expect(reply.status == code, "\(path): \(reply.body)")
            #expect(status["kind"] as? String == "Status", "\(path)")
            #expect(status["apiVersion"] as? String == "v1")
            #expect(status["status"] as? String == "Failure")
            #expect(status["reason"] as? String == reason, "\(path)")
            #expect(status["code"] as? Int == code, "\(path)")
            #expect(!(status["message"] as? String ?? "").isEmpty)
        }
        let external = try await TestTLS.get(
            server.metricsAPIURL + "/apis/external.metrics.k8s.io/v1beta1/namespaces/nowhere/istio_requests_per_second",
            caFile: pair.certificate)
        #expect(external.status == 404)
        #expect(try external.json()["reason"] as? String == "NotFound")
        await server.stop()
    }

    @Test("a rotated certificate is served to the next connection, without a restart")
    func rotation() async throws {
        let (server, original, directory) = try await start(reloadSeconds: 0.2)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = server.metricsAPIURL + "/healthz"
        #expect(try await TestTLS.get(url, caFile: original.certificate).status == 200)

        // cert-manager writes a new pair over the same files.
        let rotated = try await TestTLS.selfSigned("siskin-b", in: directory)
        let keep = TestTLS.Pair(certificate: directory + "/siskin-a-old.crt", key: directory + "/siskin-a-old.key")
        try FileManager.default.copyItem(atPath: original.certificate, toPath: keep.certificate)
        try Data(contentsOf: URL(fileURLWithPath: rotated.key)).write(to: URL(fileURLWithPath: original.key))
        try Data(contentsOf: URL(fileURLWithPath: rotated.certificate)).write(to: URL(fileURLWithPath: original.certificate))

        var reply = TestTLS.Reply(status: 0, contentType: "", body: "", curlExit: -1, stderr: "")
        let switched = await waitUntilAsync(timeout: 10) {
            reply = (try? await TestTLS.get(url, caFile: rotated.certificate)) ?? reply
            return reply.status == 200
        }
        #expect(switched, "the new certificate was not served: \(reply.stderr)")
        // The old certificate is no longer what new connections get.
        let stale = try await TestTLS.get(url, caFile: keep.certificate)
        #expect(stale.status == 0 && stale.curlExit != 0, "old CA still accepted: \(stale.stderr)")
        await server.stop()
    }

    @Test("with a front-proxy CA, /apis answers only the aggregation layer's client certificate; probes need none")
    func frontProxyAuthentication() async throws {
        let directory = try BuiltExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pair = try await TestTLS.selfSigned("siskin-a", in: directory)
        let authority = try await TestTLS.authority("front-proxy-ca", in: directory)
        let proxy = try await TestTLS.client("front-proxy-client", signedBy: authority, in: directory)
        let intruder = try await TestTLS.client("intruder", signedBy: authority, in: directory)
        let elsewhere = directory + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let stranger = try await TestTLS.selfSigned("front-proxy-client", in: elsewhere)
        let configuration = ServerConfiguration(metricsAPI: MetricsAPIConfiguration(
            certificates: try CertificateStore(certificateFile: pair.certificate, keyFile: pair.key),
            frontProxy: try FrontProxyAuthentication(clientCAFile: authority.certificate,
                                                     allowedNames: ["front-proxy-client"])))
        let server = try await RunningServer.start(configuration: configuration)
        let url = server.metricsAPIURL + "/apis/custom.metrics.k8s.io/v1beta2"

        let proxied = try await TestTLS.get(url, caFile: pair.certificate, headers: [Self.kubernetesAccept],
                                            clientCertificate: proxy)
        #expect(proxied.status == 200, "\(proxied.body) \(proxied.stderr)")
        #expect(try proxied.json()["kind"] as? String == "APIResourceList")

        let anonymous = try await TestTLS.get(url, caFile: pair.certificate)
        #expect(anonymous.status == 401, "\(anonymous.body)")
        #expect(try anonymous.json()["kind"] as? String == "Status")
        #expect(try anonymous.json()["reason"] as? String == "Unauthorized")

        // Signed by the right CA, but not the name the API server uses.
        let renamed = try await TestTLS.get(url, caFile: pair.certificate, clientCertificate: intruder)
        #expect(renamed.status == 401)
        #expect(renamed.body.contains("'intruder'"), "\(renamed.body)")

        // The right name on a certificate the CA never signed: the handshake fails.
        let forged = try await TestTLS.get(url, caFile: pair.certificate, clientCertificate: stranger)
        #expect(forged.status == 0 && forged.curlExit != 0, "forged certificate accepted: \(forged.body)")

        for probe in ["/healthz", "/readyz", "/livez"] {
            #expect(try await TestTLS.get(server.metricsAPIURL + probe, caFile: pair.certificate).status == 200, "\(probe)")
        }
        await server.stop()
    }

    @Test("a half-written key does not replace the serving pair")
    func brokenRotation() async throws {
        let directory = try BuiltExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pair = try await TestTLS.selfSigned("siskin-a", in: directory)
        let other = try await TestTLS.selfSigned("siskin-b", in: directory)
        let store = try CertificateStore(certificateFile: pair.certificate, keyFile: pair.key)
        #expect(try store.reloadIfChanged() == false, "unchanged files are not reloaded")
        // The new certificate is in place, its key not yet: a mismatched pair.
        try Data(contentsOf: URL(fileURLWithPath: other.certificate)).write(to: URL(fileURLWithPath: pair.certificate))
        #expect(throws: (any Error).self) { try store.reloadIfChanged() }
        #expect(store.certificatePEM != (try String(contentsOfFile: pair.certificate, encoding: .utf8)))
        try Data(contentsOf: URL(fileURLWithPath: other.key)).write(to: URL(fileURLWithPath: pair.key))
        #expect(try store.reloadIfChanged() == true)
        #expect(store.certificatePEM == (try String(contentsOfFile: other.certificate, encoding: .utf8)))
    }
}
