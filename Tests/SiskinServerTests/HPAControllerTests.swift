import Foundation
import SiskinSimulator
import SiskinTesting
import Testing

/// The proof of the issue: this test plays the Horizontal Pod Autoscaler
/// controller against a real `siskin serve` (the binary, metrics APIs over
/// HTTPS) fed by real `siskin-agent`s scraping simulated Envoy sidecars under
/// a known load: 90 requests per second through the ingress gateway to three
/// `podinfo` pods, 30 each.
///
/// It sends what kube-controller-manager sends (paths, `Accept` headers
/// preferring protobuf, label selectors URL-encoded as client-go's
/// `url.Values` encodes them), reads the values as the HPA does (Quantity
/// strings, milli precision) and derives the replica count with the HPA's
/// formula `ceil(currentReplicas × currentValue / target)`.
@Suite("HPA controller against siskin serve", .serialized)
struct HPAControllerTests {
    static let podinfoPods = 3
    static let requestsPerSecond = 90.0
    /// What kube-controller-manager's clients send: protobuf preferred.
    static let controllerHeaders = [
        ("Accept", "application/vnd.kubernetes.protobuf, */*"),
        ("User-Agent", "kube-controller-manager/v1.31.0 (linux/amd64) kubernetes/9e8d8f5/system:serviceaccount:kube-system:horizontal-pod-autoscaler"),
    ]
    /// What the discovery client sends for `/apis` (aggregated discovery first,
    /// legacy JSON accepted).
    static let discoveryAccept = ("Accept",
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")

    /// `resource.Quantity` text as the HPA reads it (`MilliValue()`): plain,
    /// milli (`m`) or SI-suffixed (`k`, `M`) numbers.
    static func quantity(_ text: String) -> Double? {
        let multipliers: [Character: Double] = ["m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9]
        if let last = text.last, let multiplier = multipliers[last] { return Double(text.dropLast()).map { $0 * multiplier } }
        return Double(text)
    }

    /// The HPA's replica count for a metric: `ceil(currentReplicas × usageRatio)`,
    /// with its default 10 % tolerance (no change within it).
    static func replicas(current: Int, usageRatio: Double) -> Int {
        abs(usageRatio - 1) <= 0.1 ? current : Int((Double(current) * usageRatio).rounded(.up))
    }

    @Test("Pods and External metrics: values under a known load and the replica counts the HPA derives from them",
          .scaledTimeLimit(minutes: 3))
    func hpaScalesPodinfo() async throws {
        let directory = try BuiltExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pair = try await TestTLS.selfSigned("siskin-metrics", in: directory)
        // A 10 s window keeps the test short; the rates are the same rate().
        let catalogue = directory + "/catalogue.yaml"
        try "window: 10s\n".write(toFile: catalogue, atomically: true, encoding: .utf8)
        let mesh = try FakeMesh(fleet: Fleet(
            topology: .fixtureScale(podinfoPods: Self.podinfoPods, requestsPerSecond: Self.requestsPerSecond), seed: 11))
        defer { mesh.stop() }
        let server = try await ServeProcess.start(dataDirectory: directory + "/data", arguments: [
            "--slot", "1s", "--metrics-api-listen", "127.0.0.1:0", "--tls-cert-file", pair.certificate,
            "--tls-key-file", pair.key, "--metrics-catalogue", catalogue,
        ])
        defer { server.stop() }
        var metricsPort: Int? = nil
        _ = await waitUntilAsync(timeout: 30) {
            metricsPort = ServeProcess.metricsAPIPort(in: server.log)
            return metricsPort != nil
        }
        let port = try #require(metricsPort, "no metrics API port in\n\(server.log)")
        let api = "https://localhost:\(port)"

        // One agent per podinfo pod, each with the downward-API labels file
        // the Deployment's pod template gives it.
        let podinfo = mesh.endpoints.filter { $0.workload == "podinfo" }
        #expect(podinfo.count == Self.podinfoPods)
        var agents: [Process] = []
        defer { for agent in agents { agent.terminate(); agent.waitUntilExit() } }
        for endpoint in podinfo {
            let hash = endpoint.pod.split(separator: "-").dropLast().last.map(String.init) ?? ""
            let labels = "\(directory)/\(endpoint.pod).labels"
            try "app=\"podinfo\"\npod-template-hash=\"\(hash)\"\nsecurity.istio.io/tlsMode=\"istio\"\n"
                .write(toFile: labels, atomically: true, encoding: .utf8)
            agents.append(try BuiltExecutable.start("siskin-agent", [
                "run", "--scrape-url", endpoint.scrapeURL, "--push-url", server.baseURL, "--interval", "500ms",
                "--timeout", "1s", "--pod", endpoint.pod, "--namespace", endpoint.namespace,
                "--pod-labels-file", labels, "--status-file", "\(directory)/\(endpoint.pod).status",
            ], stdout: "\(directory)/\(endpoint.pod).out", stderr: "\(directory)/\(endpoint.pod).err"))
        }
        try mesh.startClock(tick: 0.1)
        let trafficStart = Date().timeIntervalSince1970

        // Discovery, as the controller's RESTMapper and metrics client do it.
        let groups = try await TestTLS.get(api + "/apis", caFile: pair.certificate, headers: [Self.discoveryAccept])
        #expect(groups.status == 200 && groups.contentType == "application/json")
        #expect(try groups.json()["kind"] as? String == "APIGroupList")
        let resources = try await TestTLS.get(api + "/apis/custom.metrics.k8s.io/v1beta2", caFile: pair.certificate,
                                              headers: Self.controllerHeaders)
        #expect(try resources.json()["kind"] as? String == "APIResourceList")

        // metrics:
        // - type: Pods
        //   pods:
        //     metric: {name: istio_requests_per_second}
        //     target: {type: AverageValue, averageValue: "20"}
        // on a Deployment whose scale selector is app=podinfo.
        let podsPath = api + "/apis/custom.metrics.k8s.io/v1beta2/namespaces/test/pods/*/istio_requests_per_second"
            + "?labelSelector=app%3Dpodinfo"
        var podValues: [String: Double] = [:]
        var body = ""
        // The window fills over its first 10 s; then each pod serves ~30/s.
        let settled = await waitUntilAsync(timeout: 60) {
            guard Date().timeIntervalSince1970 - trafficStart > 12,
                  let reply = try? await TestTLS.get(podsPath, caFile: pair.certificate, headers: Self.controllerHeaders),
                  reply.status == 200, let object = try? reply.json(), let items = object["items"] as? [[String: Any]]
            else { return false }
            body = reply.body
            podValues = [:]
            for item in items {
                guard let object = item["describedObject"] as? [String: Any], let name = object["name"] as? String,
                      let value = (item["value"] as? String).flatMap(Self.quantity)
                else { continue }
                podValues[name] = value
            }
            return podValues.count == Self.podinfoPods && podValues.values.allSatisfy { abs($0 - 30) < 3 }
        }
        #expect(settled, "pods metric did not settle at ~30/s per pod: \(body)\n\(server.log)")
        #expect(Set(podValues.keys) == Set(podinfo.map(\.pod)))

        // The last answer, checked field by field as the HPA reads it.
        let reply = try await TestTLS.get(podsPath, caFile: pair.certificate, headers: Self.controllerHeaders)
        #expect(reply.status == 200)
        #expect(reply.contentType == "application/json")
        let list = try reply.json()
        #expect(list["kind"] as? String == "MetricValueList")
        #expect(list["apiVersion"] as? String == "custom.metrics.k8s.io/v1beta2")
        let items = try #require(list["items"] as? [[String: Any]])
        var values: [Double] = []
        let now = Date().timeIntervalSince1970
        for item in items {
            let object = try #require(item["describedObject"] as? [String: Any])
            #expect(object["kind"] as? String == "Pod")
            #expect(object["apiVersion"] as? String == "/v1")
            #expect(object["namespace"] as? String == "test")
            #expect((item["metric"] as? [String: Any])?["name"] as? String == "istio_requests_per_second")
            #expect(item["windowSeconds"] as? Int == 10)
            let stamp = try #require(item["timestamp"] as? String)
            let date = try #require(ISO8601DateFormatter().date(from: stamp), "timestamp \(stamp) is not RFC 3339")
            #expect(abs(date.timeIntervalSince1970 - now) < 5)
            let text = try #require(item["value"] as? String)
            #expect(!text.contains("e") && !text.contains("."), "Quantity \(text)")
            let value = try #require(Self.quantity(text))
            values.append(value)
            // Against the simulator's ground truth for the same pod over the last window.
            let name = try #require(object["name"] as? String)
            let served = try #require(mesh.requests(matching: ["reporter": "destination"], pod: name, from: now - 12, to: now - 2))
            #expect(abs(value - Double(served) / 10) < 0.15 * Double(served) / 10, "\(name): \(value) vs \(Double(served) / 10)")
        }
        #expect(values.count == Self.podinfoPods)

        // The HPA's Pods-metric computation: average over the pods, ratio to
        // the target, times the current replicas, rounded up.
        let average = values.reduce(0, +) / Double(values.count)
        let podsReplicas = Self.replicas(current: Self.podinfoPods, usageRatio: average / 20)
        // 90 requests per second over 3 pods against 20 per pod: ceil(3 × 30 / 20) = 5.
        #expect(podsReplicas == 5, "average \(average) per pod")

        // metrics:
        // - type: External
        //   external:
        //     metric:
        //       name: istio_requests_per_second
        //       selector: {matchLabels: {destination_workload: podinfo}}
        //     target: {type: AverageValue, averageValue: "20"}
        let external = try await TestTLS.get(
            api + "/apis/external.metrics.k8s.io/v1beta1/namespaces/test/istio_requests_per_second"
                + "?labelSelector=destination_workload%3Dpodinfo",
            caFile: pair.certificate, headers: Self.controllerHeaders)
        #expect(external.status == 200, "\(external.body)")
        let externalList = try external.json()
        #expect(externalList["kind"] as? String == "ExternalMetricValueList")
        let externalItems = try #require(externalList["items"] as? [[String: Any]])
        #expect(externalItems.count == 1)
        #expect((externalItems.first?["metricLabels"] as? [String: String])?["destination_workload"] == "podinfo")
        #expect(externalItems.first?["metricName"] as? String == "istio_requests_per_second")
        let total = externalItems.compactMap { ($0["value"] as? String).flatMap(Self.quantity) }.reduce(0, +)
        #expect(abs(total - Self.requestsPerSecond) < 0.1 * Self.requestsPerSecond, "external total \(total)")
        // External AverageValue: usage ratio = total / (target × current replicas).
        let externalReplicas = Self.replicas(current: Self.podinfoPods, usageRatio: total / (20 * Double(Self.podinfoPods)))
        #expect(externalReplicas == 5, "external total \(total)")

        // Object metrics for the Deployment and the Service, v1beta1 as older clusters ask.
        let deployment = try await TestTLS.get(
            api + "/apis/custom.metrics.k8s.io/v1beta1/namespaces/test/deployments.apps/podinfo/istio_request_error_ratio",
            caFile: pair.certificate, headers: Self.controllerHeaders)
        let ratioItem = try #require((try deployment.json()["items"] as? [[String: Any]])?.first, "\(deployment.body)")
        #expect(ratioItem["metricName"] as? String == "istio_request_error_ratio")
        let ratio = try #require((ratioItem["value"] as? String).flatMap(Self.quantity))
        #expect(ratio >= 0 && ratio < 0.05, "fixtureScale fails 0.5 % of requests: \(ratio)")
        let service = try await TestTLS.get(
            api + "/apis/custom.metrics.k8s.io/v1beta2/namespaces/test/services/podinfo/istio_requests_per_second",
            caFile: pair.certificate, headers: Self.controllerHeaders)
        let serviceValue = try #require(((try service.json()["items"] as? [[String: Any]])?.first?["value"] as? String).flatMap(Self.quantity),
                                        "\(service.body)")
        #expect(abs(serviceValue - Self.requestsPerSecond) < 0.1 * Self.requestsPerSecond)
    }
}
