import SiskinAggregation
import SiskinExposition
import SiskinTesting
import Testing

/// A tiny Istio-like family with a `by (destination_workload, response_code)`
/// rule, so one output series sums several raw series.
let exactnessRules = AggregationRules(rules: [
    AggregationRule(families: ["req_total", "lat"], labels: .by(["dst", "code"]))
])

/// One raw counter line of `req_total`.
func req(_ src: String, _ code: String, _ value: String) -> String {
    "req_total{src=\"\(src)\",dst=\"web\",code=\"\(code)\"} \(value)"
}

/// The output counter value for `code` in a summary.
func counterValue(_ summary: PodSummary, code: String) -> SampleValue? {
    let family = summary.families.first { $0.name == "req_total" }
    let series = family?.series.first { $0.labels.contains(Label("code", code)) }
    if case .counter(let value) = series?.value { return value }
    return nil
}

/// Runs scrapes through one aggregator; returns the output value for
/// `code="200"` after each.
func outputs(_ scrapes: [[String]], staleAfter: Int = 60) throws -> [UInt64] {
    var options = PodAggregator.Options()
    options.staleAfterScrapes = staleAfter
    var aggregator = PodAggregator(pod: "web-1", namespace: "shop", rules: exactnessRules, options: options)
    var values: [UInt64] = []
    for (i, lines) in scrapes.enumerated() {
        try aggregator.ingest(ExpositionBody.lines(["# TYPE req_total counter"] + lines))
        let summary = aggregator.summary(agentInstance: "test", sequence: UInt64(i), timestampMilliseconds: 0)
        values.append(counterValue(summary, code: "200")?.integerValue ?? 0)
    }
    return values
}

@Suite("Aggregation is cumulative and exact")
struct ExactnessTests {
    /// Each case: successive scrapes and the expected output after each.
    /// The output's increase between scrapes must equal the true increase of
    /// the raw series summed into it.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var scrapes: [[String]]
        var expected: [UInt64]
        var staleAfter = 60
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "steady growth: output is the sum, moving by the sum of increases",
             scrapes: [[req("a", "200", "10"), req("b", "200", "5")],
                       [req("a", "200", "15"), req("b", "200", "7")],
                       [req("a", "200", "15"), req("b", "200", "9")]],
             expected: [15, 22, 24]),
        Case(name: "Envoy restart: every value drops, the new values are the increase",
             scrapes: [[req("a", "200", "100"), req("b", "200", "50")],
                       [req("a", "200", "3"), req("b", "200", "1")],
                       [req("a", "200", "13"), req("b", "200", "2")]],
             expected: [150, 154, 165]),
        Case(name: "restart where only one raw series has traffic again",
             scrapes: [[req("a", "200", "100"), req("b", "200", "50")],
                       [req("a", "200", "4")],
                       [req("a", "200", "6"), req("b", "200", "1")]],
             expected: [150, 154, 157]),
        Case(name: "one raw series vanishes: the output keeps what it counted",
             scrapes: [[req("a", "200", "10"), req("b", "200", "5")],
                       [req("a", "200", "12")],
                       [req("a", "200", "20")]],
             expected: [15, 17, 25]),
        Case(name: "a vanished series that returns within the grace period is not counted twice",
             scrapes: [[req("a", "200", "10"), req("b", "200", "5")],
                       [req("a", "200", "11")],
                       [req("a", "200", "12"), req("b", "200", "8")]],
             expected: [15, 16, 20]),
        Case(name: "a series forgotten after the grace period comes back as new (created at zero)",
             scrapes: [[req("a", "200", "10"), req("b", "200", "5")],
                       [req("a", "200", "11")],
                       [req("a", "200", "12")],
                       [req("a", "200", "13")],
                       [req("a", "200", "14"), req("b", "200", "2")]],
             expected: [15, 16, 17, 18, 21], staleAfter: 2),
        Case(name: "a new raw series appears: its whole value is new traffic",
             scrapes: [[req("a", "200", "10")],
                       [req("a", "200", "12"), req("c", "200", "3")],
                       [req("a", "200", "13"), req("c", "200", "4")]],
             expected: [10, 15, 17]),
        Case(name: "a series in another output does not move this one",
             scrapes: [[req("a", "200", "10"), req("a", "503", "1")],
                       [req("a", "200", "10"), req("a", "503", "9")]],
             expected: [10, 10]),
        Case(name: "a duplicate line in one scrape is counted once",
             scrapes: [[req("a", "200", "10"), req("a", "200", "10")],
                       [req("a", "200", "12"), req("a", "200", "99")]],
             expected: [10, 12]),
        Case(name: "NaN and negative readings are skipped; the next good one counts from the last good one",
             scrapes: [[req("a", "200", "10")], [req("a", "200", "NaN")], [req("a", "200", "-4")], [req("a", "200", "14")]],
             expected: [10, 10, 10, 14]),
        Case(name: "counters beyond 2^53 move by exact integer increases",
             scrapes: [[req("a", "200", "9007199254740993")], [req("a", "200", "9007199254740995")]],
             expected: [9_007_199_254_740_993, 9_007_199_254_740_995]),
        Case(name: "series reordered between scrapes still match their own state",
             scrapes: [[req("a", "200", "1"), req("b", "200", "2"), req("c", "200", "3")],
                       [req("c", "200", "4"), req("a", "200", "2"), req("b", "200", "2")]],
             expected: [6, 8]),
    ]

    @Test("counter table", arguments: cases)
    func counterTable(_ c: Case) throws {
        #expect(try outputs(c.scrapes, staleAfter: c.staleAfter) == c.expected)
    }

    @Test("histogram buckets, sum and count each move by their true increase across a restart")
    func histogramAcrossRestart() throws {
        func histogram(_ src: String, _ b1: Int, _ b5: Int, _ inf: Int, _ sum: Double) -> [String] {
            ["lat_bucket{src=\"\(src)\",dst=\"web\",code=\"200\",le=\"1\"} \(b1)",
             "lat_bucket{src=\"\(src)\",dst=\"web\",code=\"200\",le=\"5\"} \(b5)",
             "lat_bucket{src=\"\(src)\",dst=\"web\",code=\"200\",le=\"+Inf\"} \(inf)",
             "lat_sum{src=\"\(src)\",dst=\"web\",code=\"200\"} \(sum)",
             "lat_count{src=\"\(src)\",dst=\"web\",code=\"200\"} \(inf)"]
        }
        var aggregator = PodAggregator(pod: "web-1", namespace: "shop", rules: exactnessRules)
        let scrapes = [
            histogram("a", 1, 3, 4, 10.5) + histogram("b", 0, 1, 1, 2.25),
            histogram("a", 2, 5, 7, 20.5) + histogram("b", 0, 1, 2, 9.25),
            histogram("a", 1, 1, 1, 0.5) + histogram("b", 1, 1, 1, 0.5),  // both restarted
        ]
        var observed: [HistogramValue] = []
        for body in scrapes {
            try aggregator.ingest(ExpositionBody.lines(["# TYPE lat histogram"] + body))
            let summary = aggregator.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0)
            guard case .histogram(let h) = summary.families.first?.series.first?.value else {
                Issue.record("no histogram output"); return
            }
            observed.append(h)
        }
        #expect(observed.map(\.bounds) == [[1, 5], [1, 5], [1, 5]])
        #expect(observed.map { $0.bucketCounts.compactMap(\.integerValue) } == [[1, 4, 5], [2, 6, 9], [4, 8, 11]])
        #expect(observed.map { $0.count.integerValue } == [5, 9, 11])
        #expect(observed.map(\.sum) == [12.75, 29.75, 30.75])
    }

    @Test("where `le` sits in the label set, and escapes in values, do not change the result")
    func labelPlacement() throws {
        func body(leFirst: Bool, _ values: [Int]) -> [UInt8] {
            var lines = ["# TYPE lat histogram"]
            for (src, v) in [("a\\\"x", values[0]), ("b", values[1])] {
                for (le, n) in [("1", v), ("+Inf", v * 2)] {
                    let labels = leFirst ? "le=\"\(le)\",src=\"\(src)\",dst=\"web\",code=\"200\""
                                         : "src=\"\(src)\",dst=\"web\",code=\"200\",le=\"\(le)\""
                    lines.append("lat_bucket{\(labels)} \(n)")
                }
                lines.append("lat_sum{src=\"\(src)\",dst=\"web\",code=\"200\"} \(v * 3)")
                lines.append("lat_count{src=\"\(src)\",dst=\"web\",code=\"200\"} \(v * 2)")
            }
            return ExpositionBody.lines(lines)
        }
        func run(leFirst: Bool) throws -> [SummarySeries] {
            var aggregator = PodAggregator(pod: "p", namespace: "n", rules: exactnessRules)
            for values in [[1, 2], [3, 5], [1, 6]] { try aggregator.ingest(body(leFirst: leFirst, values)) }
            return aggregator.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0).families.flatMap(\.series)
        }
        let leLast = try run(leFirst: false)
        #expect(leLast == (try run(leFirst: true)))
        guard case .histogram(let h) = leLast.first?.value else { Issue.record("no histogram"); return }
        // a: 1 -> 3 -> 1 (reset): 1 + 2 + 1 = 4 in le=1; b: 2 -> 5 -> 6: 6.
        #expect(h.bucketCounts == [.integer(10), .integer(20)])
        #expect(h.count == .integer(20))
        #expect(h.sum == 30)
    }

    @Test("a bucket bound appearing between scrapes becomes its own bucket without disturbing the others")
    func bucketLayoutChange() throws {
        var aggregator = PodAggregator(pod: "p", namespace: "n", rules: exactnessRules)
        try aggregator.ingest(ExpositionBody.lines(
            "# TYPE lat histogram",
            "lat_bucket{dst=\"web\",code=\"200\",le=\"1\"} 2", "lat_bucket{dst=\"web\",code=\"200\",le=\"+Inf\"} 4",
            "lat_sum{dst=\"web\",code=\"200\"} 8", "lat_count{dst=\"web\",code=\"200\"} 4"))
        try aggregator.ingest(ExpositionBody.lines(
            "# TYPE lat histogram",
            "lat_bucket{dst=\"web\",code=\"200\",le=\"1\"} 3", "lat_bucket{dst=\"web\",code=\"200\",le=\"10\"} 5",
            "lat_bucket{dst=\"web\",code=\"200\",le=\"+Inf\"} 6",
            "lat_sum{dst=\"web\",code=\"200\"} 12", "lat_count{dst=\"web\",code=\"200\"} 6"))
        let summary = aggregator.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0)
        guard case .histogram(let h) = summary.families.first?.series.first?.value else {
            Issue.record("no histogram output"); return
        }
        #expect(h.bounds == [1, 10])
        #expect(h.bucketCounts == [.integer(3), .integer(5), .integer(6)])
        #expect(h.count == .integer(6))
    }

    @Test("fractional counters accumulate as floats and stay reset-aware")
    func fractionalCounters() throws {
        var aggregator = PodAggregator(pod: "p", namespace: "n", rules: exactnessRules)
        for value in ["1.5", "2.75", "0.5"] {
            try aggregator.ingest(ExpositionBody.lines("# TYPE req_total counter", req("a", "200", value)))
        }
        let summary = aggregator.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0)
        #expect(counterValue(summary, code: "200") == .float(3.25))
    }
}

@Suite("Envoy restarts, told by envoy_server_uptime")
struct EnvoyRestartTests {
    func body(uptime: Int, _ lines: [String]) -> [UInt8] {
        ExpositionBody.lines(["# TYPE req_total counter"] + lines + ["", "# TYPE envoy_server_uptime gauge", "envoy_server_uptime{} \(uptime)"])
    }

    func run(_ scrapes: [[UInt8]]) throws -> ([UInt64], Int) {
        var aggregator = PodAggregator(pod: "p", namespace: "n", rules: exactnessRules)
        var values: [UInt64] = []
        var restarts = 0
        for scrape in scrapes {
            restarts += try aggregator.ingest(scrape).envoyRestarts
            let summary = aggregator.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0)
            values.append(counterValue(summary, code: "200")?.integerValue ?? 0)
        }
        return (values, restarts)
    }

    @Test("a sparse counter that does not drop after a restart still counts its whole value")
    func sparseCounter() throws {
        let (values, restarts) = try run([
            body(uptime: 100, [req("a", "200", "1000"), req("b", "200", "2")]),
            body(uptime: 10, [req("a", "200", "40"), req("b", "200", "3")]),
        ])
        #expect(values == [1002, 1045])
        #expect(restarts == 1)
    }

    @Test("a series absent right after the restart counts from zero when it returns")
    func absentAfterRestart() throws {
        let (values, _) = try run([
            body(uptime: 100, [req("a", "200", "1000"), req("b", "200", "5")]),
            body(uptime: 10, [req("a", "200", "40")]),
            body(uptime: 25, [req("a", "200", "50"), req("b", "200", "6")]),
        ])
        #expect(values == [1005, 1045, 1061])
    }

    @Test("a scrape right after the restart, before any series is printed again, still marks the restart")
    func restartSeenBeforeSeriesReturn() throws {
        let (values, restarts) = try run([
            body(uptime: 100, [req("a", "200", "1000"), req("b", "200", "5")]),
            body(uptime: 1, []),
            body(uptime: 16, [req("a", "200", "1001"), req("b", "200", "6")]),
        ])
        #expect(values == [1005, 1005, 2012])
        #expect(restarts == 1)
    }

    @Test("uptime dropping while counters keep growing (hot restart) is not a reset")
    func hotRestart() throws {
        let (values, restarts) = try run([
            body(uptime: 100, [req("a", "200", "1000"), req("b", "200", "2")]),
            body(uptime: 10, [req("a", "200", "1010"), req("b", "200", "3")]),
        ])
        #expect(values == [1002, 1013])
        #expect(restarts == 0)
    }
}
