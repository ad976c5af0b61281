import SiskinPromQL
import Testing

@Suite("Queries as Flagger, prometheus-adapter, Grafana and Kiali send them")
struct RealWorldQueryTests {
    @Test("every one parses", arguments: realWorldQueries)
    func parses(query: String) throws {
        _ = try parse(query)
    }

    @Test("Flagger's request success rate: ratio of sums times 100")
    func flaggerSuccessRate() throws {
        let tree = try parse(realWorldQueries[0])
        #expect(shape(tree) == "((sum(rate(istio_requests_total[60000])) / sum(rate(istio_requests_total[60000]))) * 100)")
        guard case .binary(let times) = tree, case .binary(let ratio) = times.lhs,
              case .aggregate(let numerator) = ratio.lhs, case .call("rate", let arguments) = numerator.expr,
              case .matrix(let selector, rangeMilliseconds: 60_000)? = arguments.first else {
            Issue.record("unexpected shape: \(tree)")
            return
        }
        #expect(selector.matchers == [
            matcher("__name__", .equal, "istio_requests_total"),
            matcher("reporter", .equal, "destination"),
            matcher("destination_workload_namespace", .equal, "test"),
            matcher("destination_workload", .regexMatch, "podinfo"),
            matcher("response_code", .regexNoMatch, "5.*"),
        ])
    }

    @Test("Flagger's latency: histogram_quantile over a sum by le")
    func flaggerLatency() throws {
        guard case .call("histogram_quantile", let arguments) = try parse(realWorldQueries[1]), arguments.count == 2,
              case .aggregate(let sum) = arguments[1] else {
            Issue.record("unexpected shape")
            return
        }
        #expect(arguments[0] == .number(0.99))
        #expect(sum.op == .sum && sum.grouping == ["le"] && !sum.without)
    }

    @Test("a fallback with or on () vector(1)")
    func fallback() throws {
        guard case .binary(let or) = try parse(realWorldQueries[6]) else {
            Issue.record("not a binary expression")
            return
        }
        #expect(or.op == .or)
        #expect(or.matching == Binary.Matching(on: true))
        #expect(or.rhs == .call(name: "vector", arguments: [.number(1)]))
        #expect(shape(or.lhs) == "(sum(irate(istio_requests_total[300000])) / sum(irate(istio_requests_total[300000])))")
    }

    @Test("a double backslash in a double-quoted regex reaches the matcher as one")
    func regexEscapes() throws {
        guard case .binary(let comparison) = try parse(realWorldQueries[7]), case .aggregate(let sum) = comparison.lhs,
              case .call(_, let arguments) = sum.expr, case .matrix(let selector, _)? = arguments.first else {
            Issue.record("unexpected shape")
            return
        }
        #expect(selector.matchers.last == matcher("response_code", .regexMatch, #"^0$|^[4-5]\d\d$"#))
        #expect(comparison.op == .greater && comparison.rhs == .number(0))
    }

    @Test("parenthesised latency in ms or latency in s")
    func latencyFallback() throws {
        #expect(shape(try parse(realWorldQueries[8])) ==
            "([(histogram_quantile(0.5, sum(irate(istio_request_duration_milliseconds_bucket[60000]))) / 1000)] or histogram_quantile(0.5, sum(irate(istio_request_duration_seconds_bucket[60000]))))")
    }

    @Test("Kiali's eighteen grouping labels before the argument")
    func kialiGrouping() throws {
        guard case .aggregate(let sum) = try parse(realWorldQueries[10]) else {
            Issue.record("not an aggregation")
            return
        }
        #expect(sum.grouping.count == 18)
        #expect(sum.grouping.first == "source_workload" && sum.grouping.last == "connection_security_policy")
        #expect(sum.expr == .call(name: "rate", arguments: [matrix("istio_requests_total", range: minute)]))
    }

    @Test("label_replace, topk with a spaced range, and an offset after a range")
    func otherForms() throws {
        guard case .call("label_replace", let arguments) = try parse(realWorldQueries[11]) else {
            Issue.record("not label_replace")
            return
        }
        #expect(Array(arguments.dropFirst()) == [.string("app"), .string("$1"), .string("destination_workload"), .string("(.*)-primary")])
        #expect(shape(try parse(realWorldQueries[12])) == "topk(5, sum(rate(istio_requests_total[60000])))")
        #expect(try parse(realWorldQueries[13]) == .call(name: "clamp_min", arguments: [
            .aggregate(Aggregation(op: .sum, expr: .call(name: "rate", arguments: [
                matrix("istio_requests_total", [matcher("reporter", .equal, "destination")], range: minute, offset: minute),
            ]))),
            .number(0),
        ]))
    }
}
