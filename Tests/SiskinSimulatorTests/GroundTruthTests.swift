import SiskinSimulator
import Testing

@Suite("Ground truth: the simulator knows exactly what happened")
struct GroundTruthTests {
    @Test("without restarts, rendered istio_requests_total adds up to the truth, per predicate")
    func renderedRequestsMatchTruth() {
        var fleet = Fleet(preset: .medium, seed: 7)
        fleet.advance(by: 15)
        let parsed = ParsedExposition(fleet.focus.render())
        let samples = parsed.samples("istio_requests_total")
        func rendered(_ predicate: [String: String]) -> UInt64 {
            samples.filter { sample in predicate.allSatisfy { sample.label($0.key) == $0.value } }
                .reduce(0) { $0 + $1.integer }
        }
        let predicates: [[String: String]] = [
            [:], ["reporter": "destination"], ["reporter": "source"], ["response_code": "503"],
            ["response_flags": "UF"], ["request_protocol": "grpc", "grpc_response_status": "0"],
            ["source_workload": "istio-ingressgateway", "response_code": "200"],
        ]
        for predicate in predicates {
            #expect(rendered(predicate) == fleet.focus.requests(matching: predicate), "\(predicate)")
            #expect(fleet.focus.requests(matching: predicate, scope: .sinceRestart) == fleet.focus.requests(matching: predicate))
        }
        #expect(fleet.focus.requests() > 50_000)
        #expect(fleet.focus.requests(matching: ["no_such_label": "x"]) == 0)
    }

    @Test("duration histogram truth matches the rendered buckets, _sum and _count")
    func histogramTruthMatchesRender() {
        let fleet = Fleet(preset: .small, seed: 11)
        let parsed = ParsedExposition(fleet.focus.render())
        for code in ["200", "404", "503"] {
            let truth = fleet.focus.histogram(.requestDuration, matching: ["response_code": code])
            let buckets = parsed.samples("istio_request_duration_milliseconds_bucket")
                .filter { $0.label("response_code") == code }.map(\.integer)
            #expect(buckets == truth.cumulativeBucketCounts)
            let sum = parsed.samples("istio_request_duration_milliseconds_sum").first { $0.label("response_code") == code }!
            #expect(sum.number == truth.sum)
            #expect(truth.count == fleet.focus.requests(matching: ["response_code": code]))
            #expect(truth.bucketCounts.reduce(0, +) == truth.count)
        }
    }

    @Test("source and destination proxies count the same requests, except those that never arrived")
    func bothEndsAgree() {
        var fleet = Fleet(topology: .podinfoCanary(clients: 2, backends: 2), seed: 5)
        fleet.advance(by: 120)
        fleet.advance(by: 15)
        for destination in ["podinfo-primary", "podinfo-canary"] {
            let sent = fleet.requests(matching: ["reporter": "source", "destination_workload": destination])
            let failedToConnect = fleet.requests(
                matching: ["reporter": "source", "destination_workload": destination, "response_flags": "UF"])
            let received = fleet.requests(matching: ["reporter": "destination", "destination_workload": destination])
            #expect(sent > 0 && received > 0)
            #expect(sent - failedToConnect == received)
        }
        let opened = fleet.tcpCounts(matching: ["reporter": "source"]).connectionsOpened
        #expect(opened > 0)
        #expect(opened == fleet.tcpCounts(matching: ["reporter": "destination"]).connectionsOpened)
    }

    @Test("rates and shares come out as configured")
    func ratesAreRealistic() {
        let topology = MeshTopology.fixtureScale(podinfoPods: 1, requestsPerSecond: 100)
        var fleet = Fleet(topology: topology, seed: 21, simulating: .workloads(["podinfo"]))
        fleet.advance(by: 600)
        let total = Double(fleet.requests())
        #expect(abs(total - 60_000) < 60_000 * 0.02)
        let unavailable = Double(fleet.requests(matching: ["response_code": "503"]))
        #expect(abs(unavailable / total - 0.005) < 0.001)
        // Median 16 ms, p99 140 ms: about half the requests are under 16 ms.
        let duration = fleet.histogram(.requestDuration)
        let under25 = Double(duration.cumulativeBucketCounts[4]) / Double(duration.count)
        #expect(under25 > 0.6 && under25 < 0.8)
        let mean = duration.sum / Double(duration.count)
        #expect(abs(mean - LogNormalDistribution.latency(medianMs: 16, p99Ms: 140).mean) < 1.5)
    }

    @Test("a 2x-latency canary really is twice as slow")
    func canaryLatency() {
        var fleet = Fleet(topology: .podinfoCanary(clients: 1, backends: 0, canaryLatencyFactor: 2), seed: 8)
        fleet.advance(by: 900)
        func mean(_ workload: String) -> Double {
            let histogram = fleet.histogram(
                .requestDuration, matching: ["reporter": "destination", "destination_workload": workload, "response_code": "200"])
            return histogram.sum / Double(histogram.count)
        }
        let ratio = mean("podinfo-canary") / mean("podinfo-primary")
        #expect(ratio > 1.8 && ratio < 2.2)
    }

    @Test("hand-recorded requests land in exactly the right buckets")
    func exactRecording() {
        var sidecar = TestData.standaloneSidecar()
        let labels = TestData.labels()
        sidecar.recordRequests(
            labels, durationsMs: [0.5, 0.51, 7.25, 4_000_000], requestSizes: [0, 1, 100, 100],
            responseSizes: [10, 20, 30, 40])
        let duration = sidecar.histogram(.requestDuration)
        #expect(duration.bucketCounts[0] == 1)  // 0.5 <= le 0.5
        #expect(duration.bucketCounts[1] == 1)  // 0.51 <= le 1
        #expect(duration.bucketCounts[3] == 1)  // 7.25 <= le 10
        #expect(duration.bucketCounts[19] == 1)  // beyond 3600000: +Inf only
        #expect(duration.sumHundredths == 50 + 51 + 725 + 400_000_000)
        #expect(duration.sum == 4_000_008.26)
        #expect(sidecar.histogram(.responseBytes).sum == 100)
        #expect(sidecar.requests(matching: ["response_code": "200", "source_workload": "frontend"]) == 4)
        let parsed = ParsedExposition(sidecar.render())
        #expect(parsed.samples("istio_request_duration_milliseconds_sum").map(\.value) == ["4000008.26"])
    }
}
