import Foundation
import SiskinAggregation
import SiskinIngest
import SiskinServer
import SiskinStore
import SiskinTesting
import SiskinWire
import Testing

/// Hostile input gets a clear error, costs bounded work, and leaves the
/// server answering (issue 9). Peak memory of each is measured by
/// `scripts/measure-hostile`, not here.
@Suite("Hostile input over HTTP")
struct HostileInputHTTPTests {
    static let headers = [("Content-Type", WireFormat.contentType)]

    func query(_ server: RunningServer, _ parameters: [(String, String)], path: String = "/api/v1/query") async throws -> LoopbackHTTP.Reply {
        try await LoopbackHTTP.postForm(server.baseURL + path, parameters, timeout: 60)
    }

    func stillAnswers(_ server: RunningServer) async throws {
        let reply = try await query(server, [("query", "1+1")])
        #expect(reply.status == 200 && reply.text.contains("\"2\""), "\(reply.status) \(reply.text)")
    }

    @Test("a pathological regex against long label values answers at once (linear-time matching)")
    func pathologicalRegex() async throws {
        let server = try await RunningServer.start()
        let now = ServerClock.nowMilliseconds()
        var pod = SimulatedPod(pod: String(repeating: "a", count: 4000), workload: String(repeating: "a", count: 60), revision: "v1")
        #expect(try await TestHTTP.post(server.baseURL + WireFormat.ingestPath, body: try pod.body(at: now - 10_000), headers: Self.headers).status == 202)
        pod.serve(100)
        #expect(try await TestHTTP.post(server.baseURL + WireFormat.ingestPath, body: try pod.body(at: now - 5_000), headers: Self.headers).status == 202)
        let started = ContinuousClock.now
        // Backtracking takes minutes on 30 characters; RE2 (Prometheus) and Siskin take linear time.
        for expression in [#"istio_requests_total{pod=~"(a*)*b"}"#, #"istio_requests_total{destination_workload!~"(a|aa)*c"}"#,
                           #"count(istio_requests_total{pod=~".*.*.*.*.*.*b"})"#,
                           #"label_replace(istio_requests_total, "x", "$1", "pod", "(a*)*b")"#] {
            let reply = try await query(server, [("query", expression)])
            #expect(reply.status == 200, "\(expression): \(reply.status) \(reply.text)")
        }
        let matched = try await query(server, [("query", #"count(rate(istio_requests_total{pod=~"(a*)*"}[1m]))"#)])
        #expect(matched.text.contains("\"2\""), "the same engine still matches: \(matched.text)")
        #expect(ContinuousClock.now - started < .seconds(20))
        try await stillAnswers(server)
        await server.stop()
    }

    @Test("100,000 nested parentheses are a parse error, not a stack overflow")
    func deepNesting() async throws {
        let server = try await RunningServer.start()
        let deep = String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)
        let reply = try await query(server, [("query", deep)])
        #expect(reply.status == 400 && reply.text.contains("bad_data"), "\(reply.status) \(reply.text.prefix(300))")
        try await stillAnswers(server)
        await server.stop()
    }

    @Test("a query_range of 10^6 steps is refused with Prometheus' 11,000-point error")
    func tooManySteps() async throws {
        let server = try await RunningServer.start()
        let reply = try await query(server, [("query", "1"), ("start", "0"), ("end", "1000000"), ("step", "1")], path: "/api/v1/query_range")
        #expect(reply.status == 400)
        #expect(reply.text.contains("bad_data") && reply.text.contains("11,000 points"), "\(reply.text)")
        try await stillAnswers(server)
        await server.stop()
    }

    @Test("invalid UTF-8 in a query is a 400 naming the parameter")
    func invalidUTF8Query() async throws {
        let server = try await RunningServer.start()
        let reply = try await LoopbackHTTP.get(server.baseURL + "/api/v1/query?query=up%7Bpod%3D%22%FF%FE%22%7D")
        #expect(reply.status == 400 && reply.text.contains("invalid parameter \\\"query\\\": invalid UTF-8"), "\(reply.text)")
        let values = try await LoopbackHTTP.get(server.baseURL + "/api/v1/series?match%5B%5D=up%7Bpod%3D%22%C3%28%22%7D")
        #expect(values.status == 400, "\(values.text)")
        try await stillAnswers(server)
        await server.stop()
    }

    @Test("a 64 KB label value, invalid UTF-8 in a label, and 60,000 series in one push are refused with the decoder's reason")
    func hostilePushes() async throws {
        let server = try await RunningServer.start()
        let now = ServerClock.nowMilliseconds()
        func push(_ summary: PodSummary) async throws -> TestHTTP.Reply {
            try await TestHTTP.post(server.baseURL + WireFormat.ingestPath, body: try SummaryEncoder().encode(summary).bytes, headers: Self.headers)
        }
        var long = IstioPod(pod: "p", workload: String(repeating: "w", count: 64 << 10))
        long.serve(1)
        let longReply = try await push(long.push(at: now))
        #expect(longReply.status == 400 && longReply.body.contains("string"), "\(longReply.body)")

        // Invalid UTF-8: a valid frame whose label bytes are patched to 0xFF.
        var bad = IstioPod(pod: "p", workload: "wxyzw")
        bad.serve(1)
        let payload = try SummaryEncoder(compressionLevel: 0).encode(bad.push(at: now)).bytes
        var raw = Array(payload)
        if let at = Self.find(Array("wxyzw".utf8), in: raw) { raw[at] = 0xFF }
        let utf8Reply = try await TestHTTP.post(server.baseURL + WireFormat.ingestPath, body: raw, headers: Self.headers)
        #expect(utf8Reply.status == 400, "\(utf8Reply.body)")

        var wide = IstioPod(pod: "p", workload: "w")
        wide.extraFamilies = [SummaryFamily(name: "flood", kind: .counter, series: (0..<60_000).map {
            SummarySeries(labels: [Label("i", String($0))], value: .counter(.integer(1)))
        })]
        let wideReply = try await push(wide.push(at: now))
        #expect(wideReply.status == 400 || wideReply.status == 413, "\(wideReply.status) \(wideReply.body)")
        #expect(server.database.read { $0.podCount } == 0)
        try await stillAnswers(server)
        await server.stop()
    }

    @Test("a flood of new series from one pod stops at --max-series-per-pod, counted in /metrics; its other series keep counting")
    func seriesFlood() async throws {
        var configuration = ServerConfiguration()
        configuration.store = StoreConfiguration(maxSeriesPerPod: 100)
        let server = try await RunningServer.start(configuration: configuration)
        let now = ServerClock.nowMilliseconds() / 5_000 * 5_000
        var pod = IstioPod(pod: "flooder", workload: "w")
        for round in 0..<5 {
            pod.serve(10)
            // 60 new series every push (the last 60 are gone the next time): within the per-push limit, but without a per-pod cap the pod would hold 300.
            pod.extraFamilies = [SummaryFamily(name: "flood_total", kind: .counter, series: (0..<60).map {
                SummarySeries(labels: [Label("id", "\(round)-\($0)")], value: .counter(.integer(1)))
            })]
            let reply = try await TestHTTP.post(server.baseURL + WireFormat.ingestPath,
                                                body: try SummaryEncoder().encode(pod.push(at: now - 25_000 + Int64(round) * 5_000)).bytes,
                                                headers: Self.headers)
            #expect(reply.status == 202, "\(reply.body)")
        }
        let held = server.database.read { $0.pods.filter(\.live).map { $0.stream.seriesCount }.max() ?? 0 }
        #expect(held <= 100, "the pod holds \(held) series")
        let metrics = try await TestHTTP.get(server.baseURL + "/metrics")
        let refused = metrics.body.split(separator: "\n").first { $0.hasPrefix("siskin_series_refused_total ") }
        #expect(refused.flatMap { Double($0.split(separator: " ")[1]) } ?? 0 >= 100, "\(refused ?? "no siskin_series_refused_total")")
        // The pod's Istio series were there first: they still count.
        let total = server.database.read { store in
            store.select(.pod, name: "istio_requests_total", matching: [])
                .map { store.total(.pod, $0, from: now - 60_000, to: now)[0] }.reduce(0, +)
        }
        #expect(total == 40)
        await server.stop()
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for i in 0...(haystack.count - needle.count) where Array(haystack[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}
