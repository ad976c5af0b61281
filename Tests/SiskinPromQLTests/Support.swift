import SiskinPromQL
import Testing

/// Parses or fails the test with the parser's message.
func parse(_ query: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Expr {
    do {
        return try PromQLParser.parse(query)
    } catch {
        Issue.record("\(query) did not parse: \(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// The error `query` fails with, or nil if it parses.
func parseError(_ query: String) -> PromQLParseError? {
    do {
        _ = try PromQLParser.parse(query)
        return nil
    } catch {
        return error
    }
}

/// Expects `query` to fail with `message` at byte offset `position`.
func expectError(_ query: String, _ message: String, at position: Int? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error = parseError(query) else {
        Issue.record("\(query) parsed, expected error: \(message)", sourceLocation: sourceLocation)
        return
    }
    #expect(error.message == message, "\(query)", sourceLocation: sourceLocation)
    if let position {
        #expect(error.position == position, "\(query): \(error)", sourceLocation: sourceLocation)
    }
}

func matcher(_ name: String, _ op: Matcher.Op, _ value: String) -> Matcher {
    Matcher(name: name, op: op, value: value)
}

/// `name{extra}` as the parser builds it: the name matcher first.
func selector(_ name: String?, _ extra: [Matcher] = [], offset: Int64 = 0) -> VectorSelector {
    let nameMatcher = name.map { [matcher("__name__", .equal, $0)] } ?? []
    return VectorSelector(name: name, matchers: nameMatcher + extra, offsetMilliseconds: offset)
}

func vector(_ name: String?, _ extra: [Matcher] = [], offset: Int64 = 0) -> Expr {
    .vector(selector(name, extra, offset: offset))
}

func matrix(_ name: String?, _ extra: [Matcher] = [], range: Int64, offset: Int64 = 0) -> Expr {
    .matrix(selector(name, extra, offset: offset), rangeMilliseconds: range)
}

let second: Int64 = 1000
let minute: Int64 = 60 * second
let hour: Int64 = 60 * minute
let day: Int64 = 24 * hour

/// The tree, fully parenthesised, to check how operators grouped:
/// `a + b * c` is `(a + (b * c))`.
func shape(_ expr: Expr) -> String {
    switch expr {
    case .number(let value): return value == value.rounded() && value.magnitude < 1e15 ? String(Int64(value)) : "\(value)"
    case .string(let value): return "\"\(value)\""
    case .vector(let s): return (s.name ?? "{}") + (s.offsetMilliseconds != 0 ? " offset \(s.offsetMilliseconds)" : "")
    case .matrix(let s, let range): return (s.name ?? "{}") + "[\(range)]"
    case .call(let name, let arguments): return name + "(" + arguments.map(shape).joined(separator: ", ") + ")"
    case .aggregate(let a): return a.op.rawValue + "(" + ([a.parameter].compactMap { $0 } + [a.expr]).map(shape).joined(separator: ", ") + ")"
    case .binary(let b): return "(\(shape(b.lhs)) \(b.op.rawValue) \(shape(b.rhs)))"
    case .unary(let negate, let operand): return "(\(negate ? "-" : "+")\(shape(operand)))"
    case .parenthesized(let inner): return "[\(shape(inner))]"
    }
}

/// A small deterministic generator (SplitMix64) so fuzz-style tests are
/// reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Queries exactly as Flagger, prometheus-adapter, Grafana and Kiali send them.
let realWorldQueries: [String] = [
    #"sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="test",destination_workload=~"podinfo",response_code!~"5.*"}[1m])) / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="test",destination_workload=~"podinfo"}[1m])) * 100"#,
    #"histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="test",destination_workload=~"podinfo"}[1m])) by (le))"#,
    #"vector(1)"#,
    #"sum(rate(istio_requests_total{namespace="test",pod=~"a|b",reporter="destination"}[2m])) by (pod)"#,
    #"istio_requests_total{namespace!="",pod!=""}"#,
    #"round(sum(irate(istio_requests_total{reporter=~"destination",destination_workload_namespace=~"test",destination_workload=~"podinfo"}[5m])), 0.001)"#,
    #"sum(irate(istio_requests_total{reporter=~"destination",destination_workload=~"podinfo",response_code!~"5.*"}[5m])) / sum(irate(istio_requests_total{reporter=~"destination",destination_workload=~"podinfo"}[5m])) or on () vector(1)"#,
    #"sum(rate(istio_requests_total{response_code=~"^0$|^[4-5]\\d\\d$"}[1m])) by (destination_workload) > 0"#,
    #"(histogram_quantile(0.50, sum(irate(istio_request_duration_milliseconds_bucket{reporter=~"destination"}[1m])) by (le)) / 1000) or histogram_quantile(0.50, sum(irate(istio_request_duration_seconds_bucket{reporter=~"destination"}[1m])) by (le))"#,
    #"sum(rate(istio_request_duration_milliseconds_sum{reporter="destination"}[1m])) / sum(rate(istio_request_duration_milliseconds_count{reporter="destination"}[1m]))"#,
    #"sum by (source_workload, source_workload_namespace, source_canonical_service, source_canonical_revision, source_cluster, destination_workload, destination_workload_namespace, destination_service, destination_service_name, destination_service_namespace, destination_canonical_service, destination_canonical_revision, destination_cluster, request_protocol, response_code, response_flags, grpc_response_status, connection_security_policy) (rate(istio_requests_total[1m]))"#,
    #"label_replace(sum(rate(istio_requests_total[1m])) by (destination_workload), "app", "$1", "destination_workload", "(.*)-primary")"#,
    #"topk(5, sum(rate(istio_requests_total [1m])) by (destination_workload))"#,
    #"clamp_min(sum(rate(istio_requests_total{reporter="destination"}[1m] offset 1m)), 0)"#,
]
