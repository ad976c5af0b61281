import Foundation
import SiskinCanary
import SiskinQuery
import SiskinServer
import Testing

/// The pages' HTTP side without a browser: the page and its assets (types,
/// caching, the Content-Security-Policy, nothing from another origin), and the
/// JSON endpoints the pages read, checked against the native API and the judge
/// over the same synthetic traffic as the judge's tests.
@Suite("Pages and their data over HTTP", .serialized)
struct WebPagesHTTPTests {
    func decode<T: Decodable>(_ type: T.Type, _ reply: TestHTTP.Reply) throws -> T {
        try CanaryJudgeHTTPTests().decode(type, reply)
    }

    @Test("the page and its assets: types, caching, CSP, no third-party origin")
    func pageAndAssets() async throws {
        let server = try await RunningServer.start()
        let page = try await RawHTTP.get(port: server.port, path: "/")
        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.headers["cache-control"] == "no-cache")
        let csp = try #require(page.headers["content-security-policy"])
        #expect(csp.hasPrefix("default-src 'none'; script-src 'self'; style-src 'self';"))
        #expect(csp.contains("connect-src 'self'") && !csp.contains("unsafe") && !csp.contains("http"))
        let etag = try #require(page.headers["etag"])
        let again = try await RawHTTP.get(port: server.port, path: "/", headers: [("If-None-Match", etag)])
        #expect(again.status == 304 && again.body.isEmpty)

        // Every asset the page names is served under a versioned URL, cached for good.
        let assets = page.body.components(separatedBy: "\"").filter { $0.hasPrefix("/assets/") }
        #expect(Set(assets.map { $0.split(separator: ".").last.map(String.init) ?? "" }) == ["js", "css", "svg"])
        let types = ["js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "svg": "image/svg+xml"]
        for path in assets {
            let asset = try await RawHTTP.get(port: server.port, path: path)
            #expect(asset.status == 200, "\(path)")
            #expect(asset.headers["content-type"] == types[String(path.split(separator: ".").last!)], "\(path)")
            #expect(asset.headers["cache-control"] == "public, max-age=31536000, immutable")
            #expect(asset.headers["content-security-policy"] == csp)
            // No URL of another origin: the only absolute one is SVG's namespace.
            let absolute = asset.body.components(separatedBy: "http").dropFirst()
            #expect(absolute.allSatisfy { $0.hasPrefix("://www.w3.org/2000/svg") }, "\(path) names another origin")
        }
        #expect(!page.body.contains("https://") && !page.body.contains("src=\"http"))
        let missing = try await RawHTTP.get(port: server.port, path: "/assets/siskin.000000000000.js")
        #expect(missing.status == 404)
        await server.stop()
    }

    @Test("a trend point is the workload answer over the same window")
    func trendMatchesTheWorkloadAnswer() async throws {
        let (server, end) = try await CanaryJudgeHTTPTests().serverWithTraffic()
        let time = Double(end) / 1000
        let reply = try await TestHTTP.get(server.baseURL
            + "/api/v1/siskin/workload/trend?namespace=test&workload=broken&step=10s&points=6&time=\(time)")
        #expect(reply.status == 200, "\(reply.body)")
        let trend = try decode(WorkloadTrend.self, reply)
        #expect(trend.stepSeconds == 10)
        // Windows are aligned to the step, so successive polls ask for the same ones.
        let last = Double(end / 10_000 * 10_000) / 1000
        #expect(trend.points.map(\.time) == (0..<6).map { last - Double(50 - 10 * $0) })
        for point in trend.points {
            let report = try decode(WorkloadReport.self, try await TestHTTP.get(server.baseURL
                + "/api/v1/siskin/workload?namespace=test&workload=broken&window=10s&time=\(point.time)"))
            #expect(point.requestRate == report.requestRate && point.successRate == report.successRate)
            #expect(point.p99 == report.latencyMilliseconds?.p99 && point.p50 == report.latencyMilliseconds?.p50)
            #expect(abs(point.requestRate - 20) < 1e-9, "broken serves 100 requests per 5 s")
        }
        for bad in ["step=0s", "step=500ms", "points=0", "points=121", "step=soon"] {
            let answer = try await TestHTTP.get(server.baseURL + "/api/v1/siskin/workload/trend?namespace=test&workload=broken&\(bad)")
            #expect(answer.status == 400, "\(bad): \(answer.body)")
        }
        await server.stop()
    }

    @Test("the fleet: every workload with its pods and its answer over the window")
    func fleetMatchesInventoryAndWorkloads() async throws {
        let (server, end) = try await CanaryJudgeHTTPTests().serverWithTraffic()
        let time = Double(end) / 1000
        let fleet = try decode(FleetOverview.self, try await TestHTTP.get(
            server.baseURL + "/api/v1/siskin/fleet?window=1m&time=\(time)&step=15s&points=4"))
        let inventory = try decode(Inventory.self, try await TestHTTP.get(server.baseURL + "/api/v1/siskin/workloads"))
        #expect(fleet.workloads.map(\.inventory.workload) == inventory.workloads.map(\.workload))
        #expect(fleet.workloads.map(\.inventory.pods) == inventory.workloads.map(\.pods))
        for workload in fleet.workloads {
            let report = try decode(WorkloadReport.self, try await TestHTTP.get(server.baseURL
                + "/api/v1/siskin/workload?namespace=test&workload=\(workload.inventory.workload)&window=1m&time=\(time)"))
            #expect(workload.report == report)
            #expect(workload.trend.points.count == 4 && workload.trend.stepSeconds == 15)
            #expect(workload.inventory.stalePods.count == workload.inventory.pods - workload.inventory.freshPods)
        }
        let bad = try await TestHTTP.get(server.baseURL + "/api/v1/siskin/fleet?window=forever")
        #expect(bad.status == 400)
        await server.stop()
    }

    @Test("the comparison is the judge's verdict with both sides' histograms, and is not recorded")
    func compareMatchesTheJudge() async throws {
        let (server, end) = try await CanaryJudgeHTTPTests().serverWithTraffic()
        let query = "namespace=test&canary=broken&window=1m&time=\(Double(end) / 1000)"
        let comparison = try decode(CanaryComparison.self, try await TestHTTP.get(
            server.baseURL + "/api/v1/siskin/canary/compare?" + query))
        let history = try decode(CanaryHistoryReport.self, try await TestHTTP.get(server.baseURL + "/api/v1/siskin/canary/history"))
        #expect(history.canaries.isEmpty, "a look is not a judge call")
        let judgement = try decode(CanaryJudgement.self, try await TestHTTP.get(
            server.baseURL + "/api/v1/siskin/canary/judge?" + query))
        #expect(comparison.judgement == judgement)
        #expect(comparison.judgement.verdict.outcome == .fail)
        for (side, summary) in [(comparison.canary, judgement.verdict.canary), (comparison.primary, judgement.verdict.primary)] {
            #expect(side.requests == summary.requests && side.errors == summary.errors)
            #expect(side.p50 == summary.p50Milliseconds && side.p99 == summary.p99Milliseconds)
            #expect(side.buckets.reduce(0) { $0 + $1.count } == summary.observations)
            #expect(side.buckets.last?.upperBound == .infinity)
        }
        #expect(comparison.canary.workload == "broken" && comparison.primary.workload == "broken-primary")
        #expect(abs((comparison.canary.requestRate ?? 0) - 20) < 1e-9)
        #expect(abs((comparison.canary.successRate ?? 0) - 0.96) < 1e-9)
        await server.stop()
    }

    @Test("the weight a caller sends is recorded with the judge call, and checked")
    func canaryWeightIsRecorded() async throws {
        let (server, _) = try await CanaryJudgeHTTPTests().serverWithTraffic()
        let reply = try await CanaryJudgeHTTPTests().webhook(server, """
            {"name": "healthy", "namespace": "test", "metadata": {"window": "1m", "canaryWeight": "20"}}
            """)
        #expect(reply.status == 200, "\(reply.body)")
        _ = try await TestHTTP.get(server.baseURL + "/api/v1/siskin/canary/judge?namespace=test&canary=healthy&window=1m")
        let history = try decode(CanaryHistoryReport.self, try await TestHTTP.get(
            server.baseURL + "/api/v1/siskin/canary/history?namespace=test&canary=healthy"))
        #expect(history.canaries.first?.entries.map(\.canaryWeight) == [20, nil])
        for bad in ["120", "-1", "ten", "12.5"] {
            let answer = try await CanaryJudgeHTTPTests().webhook(server, """
                {"name": "healthy", "namespace": "test", "metadata": {"canaryWeight": "\(bad)"}}
                """)
            #expect(answer.status == 400 && answer.body.contains("canaryWeight"), "\(bad): \(answer.body)")
        }
        await server.stop()
    }
}
