import SiskinSimulator
import Testing

@Suite("Format: the scrape looks exactly like Envoy's /stats/prometheus")
struct FormatTests {
    static let medium = Fleet(preset: .medium, seed: 42).focus.render()

    @Test("each family is one # TYPE line, its samples, then a blank line; no # HELP")
    func familyLayout() throws {
        for body in [Self.medium, try TestData.envoyFixture()] {
            let text = String(decoding: body, as: UTF8.self)
            #expect(!text.contains("# HELP"))
            #expect(text.hasSuffix("\n\n"))
            #expect(text.hasPrefix("# TYPE "))
            let blocks = text.dropLast(2).split(separator: "\n\n", omittingEmptySubsequences: false)
            for block in blocks {
                let lines = block.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(lines.first?.hasPrefix("# TYPE ") == true)
                #expect(lines.count >= 2, "a family without samples must not be printed")
                #expect(lines.dropFirst().allSatisfy { !$0.isEmpty && !$0.hasPrefix("#") })
            }
            let names = ParsedExposition(body).families.map(\.name)
            #expect(Set(names).count == names.count, "one TYPE line per family")
        }
    }

    @Test("counters come first, then gauges, then histograms")
    func typeOrder() {
        let types = ParsedExposition(Self.medium).families.map(\.type)
        let rank = ["counter": 0, "gauge": 1, "histogram": 2]
        #expect(types.map { rank[$0]! } == types.map { rank[$0]! }.sorted())
        #expect(Set(types) == ["counter", "gauge", "histogram"])
    }

    @Test("Istio series print the 25 labels in the proxy's order")
    func istioLabelOrder() throws {
        let parsed = ParsedExposition(Self.medium)
        let requests = parsed.samples("istio_requests_total")
        #expect(!requests.isEmpty)
        for sample in requests {
            #expect(sample.labels.map(\.name) == IstioRequestLabels.names)
        }
        for sample in parsed.samples("istio_request_duration_milliseconds_bucket") {
            #expect(sample.labels.map(\.name) == IstioRequestLabels.names + ["le"])
        }
        for sample in parsed.samples("istio_tcp_sent_bytes_total") {
            #expect(sample.labels.map(\.name) == IstioRequestLabels.tcpNames)
        }
        let fixture = ParsedExposition(try TestData.envoyFixture())
        #expect(fixture.samples("istio_requests_total").allSatisfy { $0.labels.map(\.name) == IstioRequestLabels.names })
    }

    @Test("both reporters appear: inbound traffic as destination, outbound as source")
    func reporters() {
        let fleet = Fleet(preset: .medium, seed: 42)
        let pod = fleet.focus.pod.workloadName
        for sample in ParsedExposition(fleet.focus.render()).samples("istio_requests_total") {
            switch sample.label("reporter") {
            case "destination": #expect(sample.label("destination_workload") == pod)
            case "source": #expect(sample.label("source_workload") == pod)
            default: Issue.record("unexpected reporter in \(sample)")
            }
        }
    }

    @Test("every histogram series: 20 cumulative buckets with Envoy's le spellings, _sum, _count")
    func histogramShape() throws {
        let fixtureLe = ParsedExposition(try TestData.envoyFixture())
            .samples("istio_request_duration_milliseconds_bucket").prefix(20).map { $0.label("le")! }
        #expect(fixtureLe == EnvoyHistogramBuckets.leValues)
        #expect(fixtureLe.last == "+Inf")

        let parsed = ParsedExposition(Self.medium)
        var histogramSeries = 0
        for family in parsed.families where family.type == "histogram" {
            let samples = family.samples
            #expect(samples.count % 22 == 0)
            for start in stride(from: 0, to: samples.count, by: 22) {
                histogramSeries += 1
                let series = Array(samples[start..<start + 22])
                let buckets = series[0..<20]
                #expect(buckets.allSatisfy { $0.name == family.name + "_bucket" })
                #expect(buckets.map { $0.label("le")! } == EnvoyHistogramBuckets.leValues)
                #expect(series[20].name == family.name + "_sum")
                #expect(series[21].name == family.name + "_count")
                #expect(Set(series.map(\.seriesKey)).count == 1, "one label set per 22-line block")
                let counts = buckets.map(\.integer)
                #expect(counts == counts.sorted(), "buckets are cumulative")
                #expect(counts.last == series[21].integer, "+Inf equals _count")
                #expect(series[20].number >= 0)
            }
        }
        #expect(histogramSeries > 100)
    }

    @Test("a histogram's _count equals istio_requests_total for the same labels")
    func countsAgree() {
        let parsed = ParsedExposition(Self.medium)
        var requests: [String: UInt64] = [:]
        for sample in parsed.samples("istio_requests_total") {
            requests[sample.seriesKey] = sample.integer
        }
        for name in IstioHistogram.allCases.map({ $0.rawValue + "_count" }) {
            let counts = parsed.samples(name)
            #expect(counts.count == requests.count)
            for sample in counts {
                #expect(requests[sample.seriesKey] == sample.integer)
            }
        }
    }

    @Test("label-less series print as {}, as the fixture does")
    func emptyLabelSets() throws {
        let text = String(decoding: Self.medium, as: UTF8.self)
        #expect(text.contains("\nenvoy_server_live{} 1\n"))
        #expect(text.contains("\nenvoy_server_state{} 0\n"))
        #expect(text.contains("\nenvoy_server_initialization_time_ms_bucket{le=\"0.5\"} "))
        #expect(text.contains("\nenvoy_server_initialization_time_ms_count{} 1\n"))
        #expect(text.contains("\nistio_build{component=\"proxy\",tag=\"1.24.2\"} 1\n"))
        let fixture = String(decoding: try TestData.envoyFixture(), as: UTF8.self)
        #expect(fixture.contains("\nenvoy_server_live{} 1\n"))
    }

    @Test("histogram sums are plain decimals like the fixture's (no exponent, at most 2 decimals)")
    func sumSpelling() {
        for sample in ParsedExposition(Self.medium).families.flatMap(\.samples) where sample.name.hasSuffix("_sum") {
            #expect(!sample.value.contains("e"))
            if let dot = sample.value.firstIndex(of: ".") {
                let decimals = sample.value[sample.value.index(after: dot)...]
                #expect((1...2).contains(decimals.count))
                #expect(decimals.last != "0")
            }
        }
    }

    @Test("the small preset has the fixture's Istio shape: requests and durations only")
    func smallLooksLikeFixture() throws {
        let small = ParsedExposition(Fleet(preset: .small, seed: 42).focus.render())
        let fixture = ParsedExposition(try TestData.envoyFixture())
        let istio = { (parsed: ParsedExposition) in
            Set(parsed.families.map(\.name).filter { $0.hasPrefix("istio_") })
        }
        #expect(istio(small) == istio(fixture))
        let codes = Set(small.samples("istio_requests_total").map { $0.label("response_code")! })
        #expect(codes == ["200", "404", "503"])
        let sources = Set(small.samples("istio_requests_total").map { $0.label("source_workload")! })
        #expect(sources == ["istio-ingressgateway"])
        for family in ["envoy_server_live", "envoy_server_state", "envoy_server_initialization_time_ms",
                       "envoy_http_downstream_rq_xx", "envoy_cluster_assignment_stale"] {
            #expect(small.family(family)?.type == fixture.family(family)?.type)
        }
    }

    @Test("Envoy cluster stats cover infrastructure, inbound and outbound clusters")
    func envoyClusters() {
        let fleet = Fleet(preset: .medium, seed: 42)
        let clusters = Set(fleet.focus.clusterNames)
        for expected in ["xds-grpc", "prometheus_stats", "agent", "inbound|9898||",
                         "outbound|9898||podinfo-primary.test.svc.cluster.local"] {
            #expect(clusters.contains(expected))
        }
        let parsed = ParsedExposition(fleet.focus.render())
        let totals = parsed.samples("envoy_cluster_upstream_rq_total")
        #expect(Set(totals.map { $0.label("cluster_name")! }) == clusters)
        let inbound = totals.first { $0.label("cluster_name") == "inbound|9898||" }!
        let destinationRequests = fleet.focus.requests(matching: ["reporter": "destination"])
        #expect(inbound.integer == destinationRequests)
        #expect(parsed.samples("envoy_cluster_upstream_rq_xx").allSatisfy {
            $0.labels.map(\.name) == ["envoy_response_code_class", "cluster_name"]
        })
    }
}
