import SiskinAggregation
import SiskinPromQL
import SiskinQuery
import SiskinStore
import SiskinTesting
import Testing

/// Label matchers' regular expressions (`=~`, `!~`) run on a linear-time
/// engine (RE2's guarantee, which Prometheus has); this checks it selects
/// exactly what a backtracking engine (Swift's `Regex`, the oracle here, on
/// ASCII values where the two agree) selects, fully anchored.
@Suite("Regex label matchers")
struct RegexMatcherTests {
    static let now: Int64 = 1_800_000_000_000
    static let values = [
        "podinfo", "podinfo-primary", "podinfo-canary", "PodInfo", "a", "aa", "aaab", "ab", "b", "x-1", "x_2", "x 3",
        "frontend-7d9f8b6c4-x2x9z", "api.v2", "a.b", "Z9", "review5", "{}", "a+b", "-", "AbC", "abc\ndef",
    ]
    static let patterns = [
        "podinfo", "podinfo.*", "pod(info)?", "(?i)podinfo", "podinfo-(primary|canary)", "[a-p]+", "[^-]*", #"\w+-\w+"#,
        "p.d[a-z]{2,4}", ".+y", "a|", "x*", #"p\x6fdinfo"#, #"podinfo\-canary"#, "(?i:POD)info.*", #"[\d\s]*"#, "a{0,1}",
        "a{2}", "a{2,}b?", "(a|ab)(c|bcd)?", "(?:a|b)+", #"api\.v\d"#, "[.]b|a[.]b", #"\{\}"#, "a\\+b", "[-]", "[a-]+",
        "[A-Z][a-z]*[A-Z]?", "(?i)abc", "(a*)*b", "(a|aa)*b", "x.[0-9]", "abc.def", "(?s)abc.def", "^ab$", "[[:alpha:]]+",
        #"\D+"#, #"\W"#, #"[^\w]"#, "frontend-[a-z0-9]{8,10}-[a-z0-9]{5}", "(?P<name>a)b",
    ]

    @Test("every pattern selects exactly the values a backtracking engine matches whole", arguments: patterns)
    func agreesWithBacktracking(pattern: String) throws {
        var store = WindowedStore()
        for (i, value) in Self.values.enumerated() {
            var pod = IstioPod(pod: "p\(i)", workload: value)
            _ = store.ingest(pod.push(at: Self.now - 10_000), now: Self.now - 10_000)
            pod.serve(10)
            _ = store.ingest(pod.push(at: Self.now - 5_000), now: Self.now - 5_000)
        }
        let oracle = try Regex(pattern)
        let escaped = pattern.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
        for op in ["=~", "!~"] {
            let expr = try PromQLParser.parse("rate(istio_requests_total{destination_workload\(op)\"\(escaped)\"}[1m])")
            guard case .vector(let samples) = try PromQLEngine().instant(expr, at: Self.now, store: store, now: Self.now) else {
                Issue.record("not a vector")
                continue
            }
            let selected = Set(samples.compactMap { $0.labels.first { $0.name == "destination_workload" }?.value })
            let expected = Set(Self.values.filter { value in
                let whole = (try? oracle.wholeMatch(in: value)) != nil
                return op == "=~" ? whole : !whole
            })
            #expect(selected == expected, "\(op)\"\(pattern)\": selected \(selected.sorted()), expected \(expected.sorted())")
        }
    }
}
