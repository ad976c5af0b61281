import SiskinAggregation
import SiskinPromQL
import SiskinQuery
import SiskinStore
import SiskinTesting
import Testing

/// The engine on hand-built expressions (the parser has its own suite):
/// every answer below is worked out from `Podinfo`'s known traffic.
@Suite("PromQL engine")
struct PromQLEngineTests {
    let engine = PromQLEngine()
    let end = t0 + 120_000

    func loaded() -> Podinfo {
        var podinfo = Podinfo()
        podinfo.run(until: end)
        return podinfo
    }

    func selector(_ name: String, _ matchers: [Matcher] = []) -> VectorSelector {
        VectorSelector(name: name, matchers: [Matcher(name: "__name__", op: .equal, value: name)] + matchers)
    }

    func rate(_ selector: VectorSelector, _ range: Int64 = 60_000) -> Expr {
        .call(name: "rate", arguments: [.matrix(selector, rangeMilliseconds: range)])
    }

    func eq(_ name: String, _ value: String) -> Matcher { Matcher(name: name, op: .equal, value: value) }

    func vector(_ expr: Expr, _ podinfo: Podinfo) throws -> [PromSample] {
        guard case .vector(let samples) = try engine.instant(expr, at: end, store: podinfo.store, now: end) else {
            Issue.record("not a vector")
            return []
        }
        return samples.sorted { $0.labels.description < $1.labels.description }
    }

    @Test("rate() of a counter is its increase per second over the window, without __name__")
    func rateOfCounter() throws {
        let p = loaded()
        let samples = try vector(.aggregate(Aggregation(op: .sum, expr: rate(selector("istio_requests_total", [
            eq("reporter", "destination"), eq("destination_workload", "podinfo"),
        ])))), p)
        // a: 100 per 5 s, b: 50 per 5 s → 30 req/s.
        #expect(samples == [PromSample(labels: [], value: 30)])
        let perPod = try vector(.aggregate(Aggregation(op: .sum, expr: rate(selector("istio_requests_total", [eq("reporter", "destination")])),
                                                     grouping: ["pod"])), p)
        #expect(perPod.map(\.value) == [20, 10])
        #expect(perPod.map { LabelSet_value($0.labels, "pod") } == [p.a.pod, p.b.pod])
    }

    @Test("Flagger's success rate: non-5xx over all, times 100")
    func flaggerSuccessRate() throws {
        let p = loaded()
        let matchers = [eq("reporter", "destination"), eq("destination_workload_namespace", "test"),
                        Matcher(name: "destination_workload", op: .regexMatch, value: "podinfo")]
        let ok = Expr.aggregate(Aggregation(op: .sum, expr: rate(selector("istio_requests_total",
            matchers + [Matcher(name: "response_code", op: .regexNoMatch, value: "5.*")]))))
        let all = Expr.aggregate(Aggregation(op: .sum, expr: rate(selector("istio_requests_total", matchers))))
        let expr = Expr.binary(Binary(op: .multiply, lhs: .binary(Binary(op: .divide, lhs: ok, rhs: all)), rhs: .number(100)))
        let samples = try vector(expr, p)
        // 150 requests per 5 s, of which 10 are 5xx (a's 503s and b's 500s); b's 404s count as success.
        #expect(samples.count == 1)
        #expect(abs(samples[0].value - 140.0 / 150 * 100) < 1e-9)
    }

    @Test("Flagger's p99: histogram_quantile over sum by (le) of bucket rates")
    func flaggerLatency() throws {
        let p = loaded()
        let buckets = Expr.aggregate(Aggregation(op: .sum, expr: rate(selector("istio_request_duration_milliseconds_bucket", [
            eq("reporter", "destination"), eq("destination_workload", "podinfo"),
        ])), grouping: ["le"]))
        let samples = try vector(.call(name: "histogram_quantile", arguments: [.number(0.99), buckets]), p)
        // 150 per 5 s: 55 ≤5 ms, 40 in (10,25], 45 in (50,100], 5 in (250,500], 5 in (1000,2500].
        // Rank 148.5 falls in (1000, 2500]: 1000 + 1500 × (148.5 − 145) / 5.
        #expect(samples.count == 1)
        #expect(abs(samples[0].value - (1000 + 1500 * 3.5 / 5)) < 1e-6)
        #expect(samples[0].labels.isEmpty)
    }

    @Test("a fold by labels over rate reads only the grouped labels, and answers as over the full samples")
    func groupedRangeFunctionsAnswerAsFullSamples() throws {
        let p = loaded()
        // `x + 0` hides the range function from the aggregation, so the
        // same fold runs over samples carrying every label.
        func both(_ op: Aggregation.Op, _ function: String, _ name: String, _ matchers: [Matcher],
                  _ grouping: [String]) throws -> (direct: [PromSample], full: [PromSample]) {
            let call = Expr.call(name: function, arguments: [.matrix(selector(name, matchers), rangeMilliseconds: 60_000)])
            let padded = Expr.binary(Binary(op: .add, lhs: call, rhs: .number(0)))
            func run(_ expr: Expr) throws -> [PromSample] {
                guard case .vector(let samples) = try engine.instant(
                    .aggregate(Aggregation(op: op, expr: expr, grouping: grouping)), at: end, store: p.store, now: end)
                else { Issue.record("not a vector"); return [] }
                return samples
            }
            return (try run(call), try run(.parenthesized(padded)))
        }
        let destination = [eq("reporter", "destination")]
        let cases: [(Aggregation.Op, String, String, [Matcher], [String])] = [
            (.sum, "rate", "istio_request_duration_milliseconds_bucket", destination, ["le"]),
            (.sum, "rate", "istio_request_duration_milliseconds_bucket", destination, ["pod", "le"]),
            (.sum, "increase", "istio_request_duration_milliseconds_bucket",
             destination + [Matcher(name: "le", op: .regexMatch, value: "100|\\+Inf")], ["le", "destination_workload"]),
            (.avg, "rate", "istio_requests_total", destination, ["response_code"]),
            (.max, "irate", "istio_requests_total", [Matcher(name: "response_code", op: .regexMatch, value: "5..")], ["pod"]),
            (.min, "rate", "istio_requests_total", [], ["reporter", "no_such_label"]),
            (.count, "rate", "istio_requests_total", destination, ["__name__", "source_workload"]),
            (.sum, "rate", "istio_request_duration_milliseconds_count", destination, []),
        ]
        for (op, function, name, matchers, grouping) in cases {
            let (direct, full) = try both(op, function, name, matchers, grouping)
            #expect(!direct.isEmpty, "\(op) by \(grouping) (\(function)(\(name)))")
            // The same groups, values and order, bit for bit.
            #expect(direct == full, "\(op) by \(grouping) (\(function)(\(name)))")
        }
    }

    @Test("average latency from _sum and _count")
    func averageLatency() throws {
        let p = loaded()
        let m = [eq("reporter", "destination"), eq("destination_workload", "podinfo")]
        let expr = Expr.binary(Binary(op: .divide,
            lhs: .aggregate(Aggregation(op: .sum, expr: rate(selector("istio_request_duration_milliseconds_sum", m)))),
            rhs: .aggregate(Aggregation(op: .sum, expr: rate(selector("istio_request_duration_milliseconds_count", m))))))
        let samples = try vector(expr, p)
        let fast: Double = 55 * 3 + 40 * 20
        let slow: Double = 5 * 300 + 45 * 80 + 5 * 1_200
        let sum = fast + slow
        #expect(abs(samples[0].value - sum / 150) < 1e-6)
    }

    @Test("an empty selection gives an empty vector, and `or on () vector(1)` fills it")
    func emptyAndOr() throws {
        let p = loaded()
        let nothing = Expr.aggregate(Aggregation(op: .sum, expr: rate(selector("istio_requests_total", [eq("destination_workload", "nope")]))))
        #expect(try vector(nothing, p).isEmpty)
        let filled = Expr.binary(Binary(op: .or, lhs: nothing, rhs: .call(name: "vector", arguments: [.number(1)]),
                                        matching: Binary.Matching(on: true, labels: [])))
        #expect(try vector(filled, p) == [PromSample(labels: [], value: 1)])
    }

    @Test("comparisons filter; with bool they give 0 or 1")
    func comparisons() throws {
        let p = loaded()
        let perPod = Expr.aggregate(Aggregation(op: .sum, expr: rate(selector("istio_requests_total", [eq("reporter", "destination")])),
                                                grouping: ["pod"]))
        #expect(try vector(.binary(Binary(op: .greater, lhs: perPod, rhs: .number(15))), p).map(\.value) == [20])
        #expect(try vector(.binary(Binary(op: .greater, lhs: perPod, rhs: .number(15), returnBool: true)), p).map(\.value) == [1, 0])
    }

    @Test("one-to-one vector matching divides per label set; many-to-many is an execution error")
    func vectorMatching() throws {
        let p = loaded()
        let byPodCode = { (codes: String) in
            Expr.aggregate(Aggregation(op: .sum, expr: self.rate(self.selector("istio_requests_total", [
                self.eq("reporter", "destination"), Matcher(name: "response_code", op: .regexMatch, value: codes),
            ])), grouping: ["pod"]))
        }
        let errors = try vector(.binary(Binary(op: .divide, lhs: byPodCode("5.."), rhs: byPodCode(".*"))), p)
        #expect(errors.map(\.value) == [0.05, 0.1])
        let raw = Expr.vector(selector("istio_requests_total", [eq("reporter", "destination")]))
        #expect(throws: PromQLError.self) {
            _ = try engine.instant(.binary(Binary(op: .add, lhs: raw, rhs: raw, matching: Binary.Matching(on: true, labels: ["pod"]))),
                                   at: end, store: p.store, now: end)
        }
    }

    @Test("topk, count, avg, quantile and label_replace")
    func aggregationsAndLabels() throws {
        let p = loaded()
        let perPod = Expr.aggregate(Aggregation(op: .sum, expr: rate(selector("istio_requests_total", [eq("reporter", "destination")])),
                                                grouping: ["pod"]))
        #expect(try vector(.aggregate(Aggregation(op: .topk, expr: perPod, parameter: .number(1))), p).map(\.value) == [20])
        #expect(try vector(.aggregate(Aggregation(op: .count, expr: perPod)), p).map(\.value) == [2])
        #expect(try vector(.aggregate(Aggregation(op: .avg, expr: perPod)), p).map(\.value) == [15])
        #expect(try vector(.aggregate(Aggregation(op: .quantile, expr: perPod, parameter: .number(0.5))), p).map(\.value) == [15])
        let renamed = try vector(.call(name: "label_replace", arguments: [
            perPod, .string("short"), .string("$1"), .string("pod"), .string("podinfo-[a-z0-9]+-(.*)"),
        ]), p)
        #expect(renamed.map { LabelSet_value($0.labels, "short") } == ["aaaaa", "bbbbb"])
    }

    @Test("absent() of a missing series is 1 with the selector's equality labels")
    func absent() throws {
        let p = loaded()
        let missing = Expr.call(name: "absent", arguments: [.vector(selector("nope_total", [eq("job", "x")]))])
        #expect(try vector(missing, p) == [PromSample(labels: [Label("job", "x")], value: 1)])
        let present = Expr.call(name: "absent", arguments: [.vector(selector("istio_requests_total"))])
        #expect(try vector(present, p).isEmpty)
    }

    @Test("a range query evaluates at every step")
    func rangeQuery() throws {
        let p = loaded()
        let expr = Expr.aggregate(Aggregation(op: .sum, expr: rate(selector("istio_requests_total", [eq("reporter", "destination")]))))
        guard case .matrix(let series) = try engine.range(expr, start: end - 30_000, end: end, step: 10_000, store: p.store, now: end) else {
            Issue.record("not a matrix")
            return
        }
        #expect(series.count == 1)
        #expect(series[0].points.map(\.0) == [end - 30_000, end - 20_000, end - 10_000, end])
        #expect(series[0].points.allSatisfy { abs($0.1 - 30) < 1e-9 })
    }
}

func LabelSet_value(_ labels: [Label], _ name: String) -> String {
    labels.first(where: { $0.name == name })?.value ?? ""
}
