import Foundation
import SiskinServer
import SiskinTesting
import SiskinWire
import Testing

/// The Prometheus HTTP API as Flagger, prometheus-adapter and Grafana call
/// it, over real HTTP, with the JSON Prometheus writes.
@Suite("Prometheus HTTP API", .serialized)
struct PrometheusAPITests {
    let headers = [("Content-Type", WireFormat.contentType)]

    /// podinfo-primary (2 pods, 10 req/s each, 2 % 503s, 20 ms) pushed every
    /// 5 s for two minutes ending at `end`, on the slot grid.
    func feed(_ server: RunningServer) async throws -> Int64 {
        let end = ServerClock.nowMilliseconds() / 5_000 * 5_000
        var pods = [
            SimulatedPod(pod: "podinfo-primary-7d9c8b6f5d-aaaaa", workload: "podinfo-primary", revision: "v1"),
            SimulatedPod(pod: "podinfo-primary-7d9c8b6f5d-bbbbb", workload: "podinfo-primary", revision: "v1"),
        ]
        for step in 0...24 {
            for i in pods.indices {
                if step > 0 {
                    pods[i].serve(49, milliseconds: 20)
                    pods[i].serve(1, code: "503", milliseconds: 20)
                }
                let reply = try await TestHTTP.post(server.baseURL + WireFormat.ingestPath,
                                                    body: try pods[i].body(at: end - 120_000 + Int64(step) * 5_000), headers: headers)
                #expect(reply.status == 202)
            }
        }
        return end
    }

    func get(_ server: RunningServer, _ path: String, _ parameters: [(String, String)]) async throws -> TestHTTP.Reply {
        let query = parameters.map { "\($0.0)=\(Self.escape($0.1))" }.joined(separator: "&")
        return try await TestHTTP.get(server.baseURL + path + "?" + query)
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }

    func json(_ reply: TestHTTP.Reply) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(reply.bytes)) as? [String: Any])
    }

    @Test("Flagger's builtin success-rate and p99 queries, verbatim, answer a one-sample vector")
    func flaggerQueries() async throws {
        let server = try await RunningServer.start()
        let end = try await feed(server)
        let time = String(Double(end) / 1000)
        let success = """
            sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="test",destination_workload=~"podinfo-primary",response_code!~"5.*"}[1m])) / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="test",destination_workload=~"podinfo-primary"}[1m])) * 100
            """
        let reply = try await get(server, "/api/v1/query", [("query", success), ("time", time)])
        #expect(reply.status == 200)
        // 98 %: 196 of 200 requests per 10 s are not 5xx (19.6 / 20 × 100 in
        // doubles, as Prometheus computes it: 98.00000000000001).
        #expect(reply.body.hasPrefix("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[\(end / 1000),\""))
        #expect(reply.body.contains("\"98.00000000000001\""))

        let p99 = """
            histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="test",destination_workload=~"podinfo-primary"}[1m])) by (le))
            """
        let latency = try json(try await get(server, "/api/v1/query", [("query", p99), ("time", time)]))
        let data = try #require(latency["data"] as? [String: Any])
        let result = try #require(data["result"] as? [[String: Any]])
        let value = try #require(result.first?["value"] as? [Any])
        #expect(Double(try #require(value[1] as? String)).map { abs($0 - 24.85) < 1e-9 } == true)

        let liveness = try await get(server, "/api/v1/query", [("query", "vector(1)")])
        #expect(liveness.body.contains("\"result\":[{\"metric\":{},\"value\":["))
        await server.stop()
    }

    @Test("prometheus-adapter: series discovery and per-pod rates; POST with a form body works like GET")
    func adapterQueries() async throws {
        let server = try await RunningServer.start()
        let end = try await feed(server)
        let series = try json(try await get(server, "/api/v1/series", [("match[]", "istio_requests_total{namespace!=\"\",pod!=\"\"}")]))
        let sets = try #require(series["data"] as? [[String: String]])
        #expect(sets.count == 4)
        #expect(Set(sets.compactMap { $0["pod"] }) == ["podinfo-primary-7d9c8b6f5d-aaaaa", "podinfo-primary-7d9c8b6f5d-bbbbb"])
        #expect(sets.allSatisfy { $0["__name__"] == "istio_requests_total" })

        let form = "query=" + Self.escape("sum(rate(istio_requests_total{namespace=\"test\",pod=~\"podinfo-primary-7d9c8b6f5d-aaaaa|podinfo-primary-7d9c8b6f5d-bbbbb\",reporter=\"destination\"}[2m])) by (pod)")
            + "&time=\(Double(end) / 1000)"
        let reply = try await TestHTTP.post(server.baseURL + "/api/v1/query", body: Array(form.utf8),
                                            headers: [("Content-Type", "application/x-www-form-urlencoded")])
        #expect(reply.status == 200)
        #expect(reply.body.contains("{\"metric\":{\"pod\":\"podinfo-primary-7d9c8b6f5d-aaaaa\"},\"value\":[\(end / 1000),\"10\"]}"))
        #expect(reply.body.contains("{\"metric\":{\"pod\":\"podinfo-primary-7d9c8b6f5d-bbbbb\"},\"value\":[\(end / 1000),\"10\"]}"))

        let labels = try await get(server, "/api/v1/labels", [])
        #expect(labels.body.contains("\"destination_workload\""))
        #expect(labels.body.contains("\"le\""))
        let names = try await get(server, "/api/v1/label/__name__/values", [])
        #expect(names.body == "{\"status\":\"success\",\"data\":[\"istio_request_duration_milliseconds_bucket\",\"istio_request_duration_milliseconds_count\",\"istio_request_duration_milliseconds_sum\",\"istio_requests_total\"]}")
        await server.stop()
    }

    @Test("scalars, matrices, NaN and empty results are written as Prometheus writes them")
    func resultShapes() async throws {
        let server = try await RunningServer.start()
        let end = try await feed(server)
        let scalar = try await get(server, "/api/v1/query", [("query", "1 / 0"), ("time", "1700000000.5")])
        #expect(scalar.body == "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000.500,\"+Inf\"]}}")
        let nan = try await get(server, "/api/v1/query", [("query", "0 / 0"), ("time", "1700000000")])
        #expect(nan.body.contains("\"NaN\""))
        let empty = try await get(server, "/api/v1/query", [("query", "sum(rate(istio_requests_total{destination_workload=\"nope\"}[1m]))")])
        #expect(empty.body == "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}")
        let range = try json(try await get(server, "/api/v1/query_range", [
            ("query", "sum(rate(istio_requests_total{reporter=\"destination\"}[1m]))"),
            ("start", String(Double(end - 30_000) / 1000)), ("end", String(Double(end) / 1000)), ("step", "15s"),
        ]))
        let data = try #require(range["data"] as? [String: Any])
        #expect(data["resultType"] as? String == "matrix")
        let values = try #require((data["result"] as? [[String: Any]])?.first?["values"] as? [[Any]])
        #expect(values.count == 3)
        #expect(values.allSatisfy { ($0[1] as? String) == "20" })
        await server.stop()
    }

    @Test("errors carry Prometheus' errorType and status: 400 bad_data, 422 execution")
    func errors() async throws {
        let server = try await RunningServer.start()
        _ = try await feed(server)
        let parse = try await get(server, "/api/v1/query", [("query", "sum(rate(x[1m])")])
        #expect(parse.status == 400)
        let body = try json(parse)
        #expect(body["status"] as? String == "error")
        #expect(body["errorType"] as? String == "bad_data")
        #expect((body["error"] as? String)?.contains("1:") == true)
        let missing = try await get(server, "/api/v1/query", [])
        #expect(missing.status == 400)
        let step = try await get(server, "/api/v1/query_range", [("query", "vector(1)"), ("start", "1"), ("end", "2"), ("step", "soon")])
        #expect(step.status == 400)
        let manyToMany = try await get(server, "/api/v1/query", [("query", "istio_requests_total + on (namespace) istio_requests_total")])
        #expect(manyToMany.status == 422)
        #expect(try json(manyToMany)["errorType"] as? String == "execution")
        let series = try await get(server, "/api/v1/series", [])
        #expect(series.status == 400)
        let slow = try await get(server, "/api/v1/query_range", [
            ("query", "sum(rate(istio_requests_total[1m]))"), ("start", "1700000000"), ("end", "1700100000"),
            ("step", "10s"), ("timeout", "0s"),
        ])
        #expect(slow.status == 503)
        #expect(try json(slow)["errorType"] as? String == "timeout")
        let buildinfo = try await get(server, "/api/v1/status/buildinfo", [])
        #expect(buildinfo.body.contains("\"version\":\"2.53.0\""))
        #expect(try await TestHTTP.get(server.baseURL + "/-/healthy").status == 200)
        #expect(try await TestHTTP.get(server.baseURL + "/-/ready").status == 200)
        await server.stop()
    }
}
