import SiskinAggregation
import SiskinAutoscaling
import SiskinPromQL
import SiskinQuery
import SiskinStore
import SiskinTesting
import Testing

/// A namespace `test` with three `podinfo` pods serving 10, 20 and 30
/// requests per second (one in fifty a 503 on the first) and a `redis` pod
/// serving 5, every pod pushing every 5 s for two minutes; all values known.
struct SteadyNamespace {
    static let t0: Int64 = 1_700_000_000_000
    static let end = t0 + 120_000
    static let podinfoPods = ["podinfo-7d9c8b6f5d-bbbbb", "podinfo-7d9c8b6f5d-ccccc", "podinfo-7d9c8b6f5d-ddddd"]

    var store = WindowedStore()

    init() {
        var pods = Self.podinfoPods.map { name -> IstioPod in
            var pod = IstioPod(pod: name, namespace: "test", workload: "podinfo")
            pod.podLabels = [Label("app", "podinfo"), Label("pod-template-hash", "7d9c8b6f5d")]
            return pod
        }
        var redis = IstioPod(pod: "redis-5c6d7e8f9a-fffff", namespace: "test", workload: "redis")
        redis.podLabels = [Label("app", "redis")]
        pods.append(redis)
        let perPush: [(ok: UInt64, errors: UInt64)] = [(49, 1), (100, 0), (150, 0), (25, 0)]
        var t = Self.t0
        while t <= Self.end {
            for i in pods.indices {
                if t > Self.t0 {
                    pods[i].serve(perPush[i].ok, latency: 20)
                    if perPush[i].errors > 0 { pods[i].serve(perPush[i].errors, code: "503", latency: 900) }
                }
                _ = store.ingest(pods[i].push(at: t), now: t)
            }
            t += 5_000
        }
    }

    static func close(_ a: Double?, _ b: Double, tolerance: Double = 1e-4) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance * max(1, abs(b))
    }
}

@Suite("Metrics over the store: catalogue templates evaluated with Siskin's PromQL rate()")
struct MetricsEvaluatorTests {
    let evaluator = MetricsEvaluator(catalogue: .builtIn())
    let fixture = SteadyNamespace()

    @Test("pods/* with a label selector: one value per matching pod, its own request rate")
    func podsBySelector() throws {
        let values = try evaluator.pods(metric: "istio_requests_per_second", namespace: "test",
                                        selector: LabelSelector(parsing: "app=podinfo"),
                                        store: fixture.store, now: SteadyNamespace.end)
        #expect(values.map(\.describedObject.name) == SteadyNamespace.podinfoPods)
        #expect(SteadyNamespace.close(values.first?.value, 10))
        #expect(SteadyNamespace.close(values.dropFirst().first?.value, 20))
        #expect(SteadyNamespace.close(values.last?.value, 30))
        #expect(values.allSatisfy { $0.windowSeconds == 60 && $0.timestampMilliseconds == SteadyNamespace.end })
    }

    @Test("the value is the Prometheus API's rate() over the same window, not a second computation")
    func sameAsPromQL() throws {
        let pod = SteadyNamespace.podinfoPods[1]
        let value = try evaluator.pods(metric: "istio_requests_per_second", namespace: "test", pod: pod,
                                       store: fixture.store, now: SteadyNamespace.end).first?.value
        let expr = try PromQLParser.parse("sum(rate(istio_requests_total{reporter=\"destination\",pod=\"\(pod)\"}[1m]))")
        let promql = try PromQLEngine().instant(expr, at: SteadyNamespace.end, store: fixture.store, now: SteadyNamespace.end)
        guard case .vector(let samples) = promql else { Issue.record("not a vector"); return }
        #expect(value == samples.first?.value)
    }

    @Test("a selector matching no pod gives an empty list, not an error")
    func noPods() throws {
        let values = try evaluator.pods(metric: "istio_requests_per_second", namespace: "test",
                                        selector: LabelSelector(parsing: "app=nothing"),
                                        store: fixture.store, now: SteadyNamespace.end)
        #expect(values.isEmpty)
    }

    @Test("unknown metric, namespace or pod is NotFound; a per-workload metric is not served per pod")
    func notFound() {
        func code(_ body: () throws -> Void) -> Int? {
            do { try body(); return nil } catch { return (error as? MetricsAPIError)?.code }
        }
        let store = fixture.store
        #expect(code { _ = try evaluator.pods(metric: "nope", namespace: "test", store: store, now: SteadyNamespace.end) } == 404)
        #expect(code { _ = try evaluator.pods(metric: "istio_requests_per_second", namespace: "nowhere", store: store, now: SteadyNamespace.end) } == 404)
        #expect(code { _ = try evaluator.pods(metric: "istio_requests_per_second", namespace: "test", pod: "gone-1", store: store, now: SteadyNamespace.end) } == 404)
        #expect(code { _ = try evaluator.pods(metric: "istio_request_error_ratio", namespace: "test", store: store, now: SteadyNamespace.end) } == 404)
        #expect(code { _ = try evaluator.object(metric: "istio_requests_per_second", resource: .deployments, namespace: "test", name: "absent", store: store, now: SteadyNamespace.end) } == 404)
        #expect(code { _ = try evaluator.external(metric: "nope", namespace: "test", store: store, now: SteadyNamespace.end) } == 404)
    }

    @Test("a Deployment's values cover its pods: total rate, 5xx share, p99")
    func deployment() throws {
        func value(_ metric: String) throws -> Double {
            try evaluator.object(metric: metric, resource: .deployments, namespace: "test", name: "podinfo",
                                 store: fixture.store, now: SteadyNamespace.end).value
        }
        #expect(SteadyNamespace.close(try value("istio_requests_per_second"), 60))
        #expect(SteadyNamespace.close(try value("istio_request_error_ratio"), 1.0 / 300))
        // 1/300 of podinfo's requests took 900 ms, the rest 20 ms: the 99th
        // percentile falls in Istio's (10, 25] ms bucket.
        let p99 = try value("istio_request_duration_p99_milliseconds")
        #expect(p99 > 10 && p99 <= 25)
    }

    @Test("a workload without errors has an error ratio of 0, not no value")
    func zeroErrors() throws {
        let redis = try evaluator.object(metric: "istio_request_error_ratio", resource: .deployments, namespace: "test",
                                         name: "redis", store: fixture.store, now: SteadyNamespace.end)
        #expect(redis.value == 0)
    }

    @Test("external metrics: the selector picks series, items per pinned label value")
    func external() throws {
        let podinfo = try evaluator.external(metric: "istio_requests_per_second", namespace: "test",
                                             selector: LabelSelector(parsing: "destination_workload=podinfo"),
                                             store: fixture.store, now: SteadyNamespace.end)
        #expect(podinfo.count == 1)
        #expect(SteadyNamespace.close(podinfo.first?.value, 60))
        #expect(podinfo.first?.metricLabels == ["destination_workload": "podinfo", "namespace": "test"])
        let both = try evaluator.external(metric: "istio_requests_per_second", namespace: "test",
                                          selector: LabelSelector(parsing: "destination_workload in (podinfo,redis)"),
                                          store: fixture.store, now: SteadyNamespace.end)
        #expect(SteadyNamespace.close(both.first?.value, 65))
        let none = try evaluator.external(metric: "istio_requests_per_second", namespace: "test",
                                          selector: LabelSelector(parsing: "destination_workload=absent"),
                                          store: fixture.store, now: SteadyNamespace.end)
        #expect(none.isEmpty)
    }

    @Test("a metric label selector narrows the series a pod value is computed from")
    func metricSelector() throws {
        let errors = try evaluator.pods(metric: "istio_requests_per_second", namespace: "test",
                                        pod: SteadyNamespace.podinfoPods[0],
                                        metricSelector: LabelSelector(parsing: "response_code=503"),
                                        store: fixture.store, now: SteadyNamespace.end)
        #expect(SteadyNamespace.close(errors.first?.value, 0.2))
    }
}
