import SiskinAggregation
import SiskinExposition
import SiskinTesting
import Testing

func aggregate(_ body: [UInt8], rules: AggregationRules = .default, pod: String = "podinfo-7d9c-x2k4q",
               namespace: String = "test") throws -> (PodSummary, ScrapeReport) {
    var aggregator = PodAggregator(pod: pod, namespace: namespace, rules: rules)
    let report = try aggregator.ingest(body)
    return (aggregator.summary(agentInstance: "t", sequence: 1, timestampMilliseconds: 0), report)
}

/// Sum of an output family's counter values, or of one histogram part.
func outputSum(_ summary: PodSummary, family name: String, part: (HistogramValue) -> Double = { $0.count.doubleValue }) -> Double {
    guard let family = summary.families.first(where: { $0.name == name }) else { return 0 }
    return family.series.reduce(0) { total, series in
        switch series.value {
        case .counter(let v): total + v.doubleValue
        case .gauge(let v): total + v
        case .histogram(let h): total + part(h)
        }
    }
}

@Suite("Aggregation rules")
struct RulesTests {
    @Test("the default keeps what Flagger, prometheus-adapter, dashboards and Kiali use, and drops the rest")
    func defaultLabels() throws {
        let (summary, _) = try aggregate(try Fixtures.envoySidecar())
        let requests = try #require(summary.families.first { $0.name == "istio_requests_total" })
        let names = Set(requests.series.flatMap { $0.labels.map(\.name) })
        for kept in AggregationRules.defaultKeptLabels { #expect(names.contains(kept), "\(kept) kept") }
        for dropped in ["source_app", "destination_app", "source_version", "destination_version",
                        "source_principal", "destination_principal"] {
            #expect(!names.contains(dropped), "\(dropped) dropped")
        }
        #expect(names.contains("pod") && names.contains("namespace"))
    }

    @Test("every output series carries the pod's identity, labels sorted by name")
    func podIdentity() throws {
        let (summary, _) = try aggregate(try Fixtures.envoySidecar(), pod: "p-1", namespace: "ns-1")
        for family in summary.families {
            for series in family.series {
                #expect(series.labels.contains(Label("pod", "p-1")))
                #expect(series.labels.contains(Label("namespace", "ns-1")))
                #expect(series.labels == series.labels.sorted())
            }
        }
    }

    @Test("counts add up: per family, output sums equal input sums", arguments: ["default", "lean"])
    func conservation(preset: String) throws {
        let body = try Fixtures.envoySidecar()
        let rules = try #require(AggregationRules.preset(named: preset))
        let (summary, _) = try aggregate(body, rules: rules)
        let input = ReferenceSums.byMetricName(body)
        let infBuckets = ReferenceSums.bucketSums(body, le: "+Inf")
        for family in summary.families {
            switch family.kind {
            case .counter:
                #expect(outputSum(summary, family: family.name) == input[family.name])
            case .histogram:
                #expect(outputSum(summary, family: family.name) == input[family.name + "_count"])
                #expect(outputSum(summary, family: family.name, part: \.sum) == input[family.name + "_sum"])
                #expect(outputSum(summary, family: family.name, part: { $0.bucketCounts.last!.doubleValue })
                        == infBuckets[family.name + "_bucket"])
            case .gauge:
                break
            }
        }
        #expect(!summary.families.isEmpty)
    }

    @Test("the lean preset sums across sources to fewer series")
    func lean() throws {
        // The fixture's requests line, from three different source workloads.
        let fixture = String(decoding: try Fixtures.envoySidecar(), as: UTF8.self)
        let line = try #require(fixture.split(separator: "\n").first { $0.hasPrefix("istio_requests_total{") })
        let body = ExpositionBody.lines(["# TYPE istio_requests_total counter"] + ["istio-ingressgateway", "frontend", "loadtester"].map {
            String(line).replacing("source_workload=\"istio-ingressgateway\"", with: "source_workload=\"\($0)\"")
        })
        let (full, _) = try aggregate(body)
        let (lean, _) = try aggregate(body, rules: .lean)
        #expect(full.seriesCount == 3)
        #expect(lean.seriesCount == 1)
        #expect(outputSum(lean, family: "istio_requests_total") == outputSum(full, family: "istio_requests_total"))
        let names = Set(lean.families.flatMap { $0.series.flatMap { $0.labels.map(\.name) } })
        #expect(names == Set(AggregationRules.leanKeptLabels + ["pod", "namespace"]))
    }

    @Test("families no rule names are skipped without reading their labels")
    func skipsUnselected() throws {
        let (summary, report) = try aggregate(try Fixtures.envoySidecar())
        #expect(Set(summary.families.map(\.name)).isSubset(of: Set(AggregationRules.istioFamilies)))
        #expect(report.skippedLines > 0)
        #expect(report.familiesKept == 2)
        #expect(report.errorCount == 0)
    }

    @Test("`without` drops the named labels and keeps the rest")
    func without() throws {
        let rules = AggregationRules(rules: [AggregationRule(families: ["m"], labels: .without(["drop"]))])
        let (summary, _) = try aggregate(ExpositionBody.lines(
            "# TYPE m counter", "m{keep=\"a\",drop=\"1\"} 2", "m{keep=\"a\",drop=\"2\"} 3", "m{keep=\"b\",drop=\"1\"} 4"),
            rules: rules, pod: "p", namespace: "n")
        let series = try #require(summary.families.first).series
        #expect(series.map(\.labels) == [
            [Label("keep", "a"), Label("namespace", "n"), Label("pod", "p")],
            [Label("keep", "b"), Label("namespace", "n"), Label("pod", "p")],
        ])
        #expect(series.map(\.value) == [.counter(.integer(5)), .counter(.integer(4))])
    }

    @Test("a raw `pod` label does not clobber the identity: it becomes exported_pod")
    func identityConflict() throws {
        let rules = AggregationRules(rules: [AggregationRule(families: ["m"], labels: .without([]))])
        let (summary, _) = try aggregate(ExpositionBody.lines("# TYPE m counter", "m{pod=\"other\"} 1"),
                                         rules: rules, pod: "p", namespace: "n")
        #expect(summary.families.first?.series.first?.labels == [
            Label("exported_pod", "other"), Label("namespace", "n"), Label("pod", "p"),
        ])
    }

    @Test("gauges are summed as printed, not accumulated")
    func gauges() throws {
        let rules = AggregationRules(rules: [AggregationRule(families: ["g"], labels: .by([]))])
        var aggregator = PodAggregator(pod: "p", namespace: "n", rules: rules)
        try aggregator.ingest(ExpositionBody.lines("# TYPE g gauge", "g{a=\"1\"} 5", "g{a=\"2\"} 2"))
        try aggregator.ingest(ExpositionBody.lines("# TYPE g gauge", "g{a=\"1\"} 1"))
        let summary = aggregator.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0)
        #expect(summary.families.first?.series.first?.value == .gauge(1))
    }
}

@Suite("Aggregation under bad input and at the limits")
struct AggregationLimitsTests {
    @Test("a broken line is counted and skipped; the good lines still count")
    func lenient() throws {
        let (summary, report) = try aggregate(ExpositionBody.lines(
            "# TYPE istio_requests_total counter",
            "istio_requests_total{reporter=\"destination\",response_code=\"200\"} 5",
            "istio_requests_total{reporter=\"destination\",response_code=\"200} 7",
            "istio_requests_total{reporter=\"destination\",response_code=\"500\"} 1"))
        #expect(report.errorCount == 1)
        #expect(report.errors.first?.line == 3)
        #expect(outputSum(summary, family: "istio_requests_total") == 6)
    }

    @Test("strict mode rejects a broken body and changes nothing")
    func strict() throws {
        var options = PodAggregator.Options()
        options.strict = true
        var aggregator = PodAggregator(pod: "p", namespace: "n", rules: exactnessRules, options: options)
        try aggregator.ingest(ExpositionBody.lines("# TYPE req_total counter", req("a", "200", "5")))
        #expect(throws: ParseError.self) {
            try aggregator.ingest(ExpositionBody.lines("# TYPE req_total counter", req("a", "200", "9"), "req_total{ 1"))
        }
        try aggregator.ingest(ExpositionBody.lines("# TYPE req_total counter", req("a", "200", "6")))
        let summary = aggregator.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0)
        #expect(counterValue(summary, code: "200") == .integer(6))
    }

    @Test("the raw series limit bounds memory and is reported")
    func seriesLimit() throws {
        var options = PodAggregator.Options()
        options.maxRawSeries = 10
        var aggregator = PodAggregator(pod: "p", namespace: "n", rules: exactnessRules, options: options)
        let lines = ["# TYPE req_total counter"] + (0..<50).map { req("s\($0)", "200", "1") }
        let report = try aggregator.ingest(ExpositionBody.lines(lines))
        #expect(aggregator.rawSeriesCount == 10)
        #expect(report.errorCount == 40)
        #expect(report.errors.first?.reason == .tooManySeries)
    }

    @Test("a steady-state scrape takes the fast path: no new series, no label parsing")
    func steadyState() throws {
        let body = try Fixtures.envoySidecar()
        var aggregator = PodAggregator(pod: "p", namespace: "n")
        let cold = try aggregator.ingest(body)
        let warm = try aggregator.ingest(body)
        #expect(cold.newSeries > 0)
        #expect(warm.newSeries == 0)
        #expect(warm.samples == cold.samples)
        #expect(warm.keptSamples == cold.keptSamples)
    }

    @Test("random garbage never crashes the aggregator and memory stays bounded")
    func garbage() throws {
        var random = SeededRandom(seed: 99)
        var options = PodAggregator.Options()
        options.maxRawSeries = 1000
        var aggregator = PodAggregator(pod: "p", namespace: "n", rules: .default, options: options)
        let base = try Fixtures.envoySidecar()
        for _ in 0..<60 {
            var body = base
            for _ in 0..<200 {
                let i = Int(random.next() % UInt64(body.count))
                body[i] = UInt8(truncatingIfNeeded: random.next())
            }
            try aggregator.ingest(body)
        }
        #expect(aggregator.rawSeriesCount <= 1000)
    }
}
