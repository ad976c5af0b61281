import SiskinSimulator
import Testing

@Suite("Restarts: Envoy forgets, the ground truth does not")
struct RestartTests {
    @Test("a restart zeroes counters, removes Istio series and resets uptime")
    func restartResetsRenderedState() {
        var fleet = Fleet(preset: .medium, seed: 3)
        let before = ParsedExposition(fleet.focus.render())
        #expect(!before.samples("istio_requests_total").isEmpty)
        #expect(before.samples("envoy_server_uptime").first?.integer == 900)

        fleet.restartFocus()
        let after = ParsedExposition(fleet.focus.render())
        #expect(after.family("istio_requests_total") == nil)
        #expect(after.family("istio_request_duration_milliseconds") == nil)
        #expect(after.family("istio_tcp_connections_opened_total") == nil)
        #expect(after.family("envoy_cluster_upstream_rq") == nil, "per-code stats are created on use")
        #expect(after.samples("envoy_server_uptime").first?.integer == 0)
        #expect(after.samples("envoy_server_live").first?.integer == 1)
        #expect(after.samples("envoy_server_initialization_time_ms_count").first?.integer == 1)
        let inbound = after.samples("envoy_cluster_upstream_rq_total").first { $0.label("cluster_name") == "inbound|9898||" }
        #expect(inbound?.integer == 0)
        #expect(fleet.focus.restartCount == 1)
        #expect(fleet.focus.requests(scope: .sinceRestart) == 0)
        #expect(fleet.focus.requests() == fleet.focus.requests(matching: [:], scope: .sinceCreation))
        #expect(fleet.focus.requests() > 0)
    }

    @Test("series come back when used again, starting from zero")
    func seriesReappear() {
        var fleet = Fleet(preset: .small, seed: 4)
        let truthBefore = fleet.focus.requests()
        fleet.restartFocus()
        fleet.advance(by: 15)
        let rendered = ParsedExposition(fleet.focus.render()).samples("istio_requests_total")
        let total = rendered.reduce(0) { $0 + $1.integer }
        #expect(!rendered.isEmpty)
        #expect(total == fleet.focus.requests(scope: .sinceRestart))
        #expect(total < truthBefore / 10)
        #expect(fleet.focus.requests() == truthBefore + total)
        #expect(ParsedExposition(fleet.focus.render()).samples("envoy_server_uptime").first?.integer == 15)
    }

    @Test("increases summed across a restart equal the truth, histograms included")
    func increasesAcrossRestart() {
        var fleet = Fleet(preset: .small, seed: 5, warmUp: false)
        var reconstructed: UInt64 = 0
        var reconstructedSum: Double = 0
        var previous: [String: (count: UInt64, sum: Double)] = [:]
        var previousUptime: UInt64 = 0
        for scrape in 1...6 {
            if scrape == 4 { fleet.restartFocus() }  // right after scrape 3: nothing is lost
            fleet.advance(by: 30)
            let parsed = ParsedExposition(fleet.focus.render())
            // A falling uptime tells a restart apart from a rare series that merely grew
            // back past its old value.
            let uptime = parsed.samples("envoy_server_uptime")[0].integer
            let restarted = uptime < previousUptime
            previousUptime = uptime
            if restarted { previous = [:] }
            var sums: [String: Double] = [:]
            for sample in parsed.samples("istio_request_duration_milliseconds_sum") {
                sums[sample.seriesKey] = sample.number
            }
            var current: [String: (count: UInt64, sum: Double)] = [:]
            for sample in parsed.samples("istio_requests_total") {
                let now = (count: sample.integer, sum: sums[sample.seriesKey]!)
                let old = previous[sample.seriesKey] ?? (0, 0)
                #expect(now.count >= old.count)
                reconstructed += now.count - old.count
                reconstructedSum += now.sum - old.sum
                current[sample.seriesKey] = now
            }
            previous = current
        }
        #expect(fleet.focus.restartCount == 1)
        #expect(reconstructed == fleet.focus.requests())
        #expect(abs(reconstructedSum - fleet.focus.histogram(.requestDuration).sum) < 0.001)
    }

    @Test("traffic between the last scrape and a restart is invisible to scrapes but counted as truth")
    func lostIncrements() {
        var fleet = Fleet(preset: .small, seed: 6)
        let scraped = fleet.focus.requests(scope: .sinceRestart)
        fleet.advance(by: 10)
        let lost = fleet.focus.requests() - scraped
        fleet.restartFocus()
        fleet.advance(by: 5)
        #expect(lost > 0)
        #expect(fleet.focus.requests() == scraped + lost + fleet.focus.requests(scope: .sinceRestart))
    }

    @Test("restarting an unknown pod reports failure and changes nothing")
    func unknownPod() {
        var fleet = Fleet(preset: .small, seed: 1)
        let body = fleet.focus.render()
        #expect(fleet.restart(pod: "no-such-pod") == false)
        #expect(fleet.focus.render() == body)
    }
}
