import SiskinTesting
import Testing

/// The fidelity suite's own parsing and comparison, on hand-written API answers (no
/// processes: these run everywhere, Prometheus installed or not).
@Suite("Fidelity comparison rules")
struct ComparisonTests {
    static func answer(_ json: String, status: Int = 200) throws -> PromAnswer {
        try PromAnswer(LoopbackHTTP.Reply(status: status, body: Array(json.utf8)))
    }

    static func vector(_ series: [(String, String)]) -> String {
        let results = series.map { #"{"metric":\#($0.0),"value":[1700000000.5,"\#($0.1)"]}"# }
        return #"{"status":"success","data":{"resultType":"vector","result":[\#(results.joined(separator: ","))]}}"#
    }

    @Test("Prometheus API JSON: vector, matrix, scalar, series and errors")
    func parsing() throws {
        let vector = try Self.answer(Self.vector([(#"{"pod":"a"}"#, "1.5"), ("{}", "NaN")]))
        #expect(vector.isSuccess && vector.resultType == "vector" && vector.series.count == 2)
        #expect(vector.series[0].labels == ["pod": "a"] && vector.series[0].points[0].time == 1700000000.5)
        #expect(vector.series[0].points[0].value == 1.5 && vector.series[1].points[0].value.isNaN)
        let matrix = try Self.answer(
            #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"+Inf"],[2,"-Inf"],[3,"4e2"]]}]}}"#)
        #expect(matrix.series[0].points.map(\.value) == [.infinity, -.infinity, 400])
        let scalar = try Self.answer(#"{"status":"success","data":{"resultType":"scalar","result":[5,"1"]}}"#)
        #expect(scalar.series.count == 1 && scalar.series[0].points[0].value == 1)
        let series = try Self.answer(#"{"status":"success","data":[{"__name__":"x","pod":"p"}]}"#)
        #expect(series.resultType == "series" && series.series[0].labels == ["__name__": "x", "pod": "p"])
        let error = try Self.answer(#"{"status":"error","errorType":"bad_data","error":"parse error"}"#, status: 400)
        #expect(!error.isSuccess && error.errorType == "bad_data")
        #expect(throws: PromAnswer.Malformed.self) { try Self.answer("404 page not found", status: 404) }
    }

    @Test("tolerances: percentage points, quantile buckets, relative, exact")
    func tolerances() {
        #expect(Tolerance.percentagePoints(0.2).mismatch(expected: 99.3, actual: 99.15) == nil)
        #expect(Tolerance.percentagePoints(0.2).mismatch(expected: 99.3, actual: 99.05) != nil)
        #expect(Tolerance.quantile(0.05).mismatch(expected: 220, actual: 230) == nil)
        #expect(Tolerance.quantile(0.05).mismatch(expected: 99, actual: 101) != nil, "within 5 % but across the 100 ms bound")
        #expect(Tolerance.quantile(0.05).mismatch(expected: 300, actual: 320) != nil)
        #expect(Tolerance.bucket(of: 100) == Tolerance.bucket(of: 51) && Tolerance.bucket(of: 100.01) == Tolerance.bucket(of: 250))
        #expect(Tolerance.relative(0.02).mismatch(expected: 100, actual: 101.9) == nil)
        #expect(Tolerance.relative(0.02).mismatch(expected: 100, actual: 97.9) != nil)
        #expect(Tolerance.exact.mismatch(expected: 1, actual: 1) == nil)
        #expect(Tolerance.exact.mismatch(expected: 1, actual: 1.0000001) != nil)
        #expect(Tolerance.relative(0.02).mismatch(expected: .nan, actual: .nan) == nil)
        #expect(Tolerance.relative(0.02).mismatch(expected: .nan, actual: 1) != nil)
    }

    @Test("answers must have the same label sets and, for a matrix, the same timestamps")
    func answersCompare() throws {
        let prometheus = try Self.answer(Self.vector([(#"{"pod":"a"}"#, "10"), (#"{"pod":"b"}"#, "20")]))
        let close = try Self.answer(Self.vector([(#"{"pod":"b"}"#, "20.3"), (#"{"pod":"a"}"#, "9.9")]))
        #expect(Compare.answers("q", prometheus: prometheus, siskin: close, tolerance: .relative(0.02)).allSatisfy { $0.problem == nil })
        let missing = try Self.answer(Self.vector([(#"{"pod":"a"}"#, "10")]))
        #expect(Compare.answers("q", prometheus: prometheus, siskin: missing, tolerance: .relative(0.02)).contains {
            $0.problem == "label set missing in siskin"
        })
        let extraLabel = try Self.answer(Self.vector([(#"{"pod":"a","job":"x"}"#, "10"), (#"{"pod":"b"}"#, "20")]))
        #expect(Compare.answers("q", prometheus: prometheus, siskin: extraLabel, tolerance: .relative(0.02)).filter { $0.problem != nil }.count == 2)
        let empty = try Self.answer(Self.vector([]))
        #expect(Compare.answers("q", prometheus: empty, siskin: empty, tolerance: .exact).allSatisfy { $0.problem == nil })
        #expect(Compare.answers("q", prometheus: empty, siskin: missing, tolerance: .exact).contains { $0.problem != nil })
        let scalar = try Self.answer(#"{"status":"success","data":{"resultType":"scalar","result":[5,"1"]}}"#)
        #expect(Compare.answers("q", prometheus: scalar, siskin: try Self.answer(Self.vector([("{}", "1")])), tolerance: .exact)
            .first?.problem == "result type differs")

        func matrix(_ values: String) throws -> PromAnswer {
            try Self.answer(#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[\#(values)]}]}}"#)
        }
        let reference = try matrix(#"[10,"1"],[15,"2"]"#)
        #expect(Compare.answers("r", prometheus: reference, siskin: try matrix(#"[10,"1"],[15,"2"]"#), tolerance: .exact)
            .allSatisfy { $0.problem == nil })
        #expect(Compare.answers("r", prometheus: reference, siskin: try matrix(#"[10,"1"],[16,"2"]"#), tolerance: .exact)
            .filter { $0.problem != nil }.count == 2)
    }

    @Test("series are compared over siskin's label names; job and instance are Prometheus' own")
    func seriesCompare() throws {
        func series(_ sets: [String]) throws -> PromAnswer {
            try Self.answer(#"{"status":"success","data":[\#(sets.joined(separator: ","))]}"#)
        }
        let prometheus = try series([
            #"{"__name__":"istio_requests_total","pod":"p","response_code":"200","source_app":"lg","job":"j","instance":"i:1"}"#,
            #"{"__name__":"istio_requests_total","pod":"p","response_code":"503","source_app":"lg","job":"j","instance":"i:1"}"#,
        ])
        let siskin = try series([
            #"{"__name__":"istio_requests_total","pod":"p","response_code":"200"}"#,
            #"{"__name__":"istio_requests_total","pod":"p","response_code":"503"}"#,
        ])
        let same = Compare.seriesSets("s", prometheus: prometheus, siskin: siskin)
        #expect(same.rows.allSatisfy { $0.problem == nil })
        #expect(same.dropped == ["instance", "job", "source_app"])
        let lost = try series([#"{"__name__":"istio_requests_total","pod":"p","response_code":"200"}"#])
        #expect(Compare.seriesSets("s", prometheus: prometheus, siskin: lost).rows.contains { $0.problem == "label set missing in siskin" })
        let invented = try series([
            #"{"__name__":"istio_requests_total","pod":"p","response_code":"200","le":"1"}"#,
            #"{"__name__":"istio_requests_total","pod":"p","response_code":"503","le":"1"}"#,
        ])
        #expect(Compare.seriesSets("s", prometheus: prometheus, siskin: invented).rows.contains {
            $0.problem == "label name Prometheus does not have"
        })
        // Prometheus drops empty label values; an answer that keeps them differs.
        let emptyValue = try series([
            #"{"__name__":"istio_requests_total","pod":"p","response_code":"200","grpc_response_status":""}"#,
            #"{"__name__":"istio_requests_total","pod":"p","response_code":"503","grpc_response_status":""}"#,
        ])
        let failures = Compare.seriesSets("s", prometheus: prometheus, siskin: emptyValue).rows.filter { $0.problem != nil }
        #expect(failures.count == 1, "the sets agree on the other names")
        #expect(failures.first?.labels == "label grpc_response_status" && failures.first?.siskin == "\"\"")
        let none = try series([])
        #expect(Compare.seriesSets("s", prometheus: none, siskin: none).rows.allSatisfy { $0.problem == nil })
        #expect(Compare.seriesSets("s", prometheus: none, siskin: siskin).rows.contains { $0.problem != nil })
    }

    @Test("Flagger's builtin queries are rendered verbatim")
    func flaggerQueries() {
        let success = Battery.flaggerSuccessRate(namespace: "test", target: "podinfo", interval: "1m")
        #expect(success.hasPrefix("\n\tsum(\n\t\trate(\n\t\t\tistio_requests_total{\n\t\t\t\treporter=\"destination\",\n"))
        #expect(success.contains("\t\t\t\tdestination_workload=~\"podinfo\",\n\t\t\t\tresponse_code!~\"5.*\"\n\t\t\t}[1m]\n\t\t)\n\t) \n\t/ \n"))
        #expect(success.hasSuffix("\t) \n\t* 100"))
        let duration = Battery.flaggerRequestDuration(namespace: "test", target: "podinfo", interval: "1m")
        #expect(duration.hasPrefix("\n\thistogram_quantile(\n\t\t0.99,\n\t\tsum(\n\t\t\trate(\n\t\t\t\tistio_request_duration_milliseconds_bucket{\n"))
        #expect(duration.hasSuffix("\t\t\t\t}[1m]\n\t\t\t)\n\t\t) by (le)\n\t)"))
    }

    @Test("the scrape configuration relabels discovery metadata into namespace and pod")
    func prometheusConfiguration() {
        let yaml = PrometheusRig.configuration(for: [])
        #expect(yaml.contains("scrape_interval: 1s"))
        #expect(yaml.contains("metrics_path: /stats/prometheus"))
        #expect(yaml.contains("source_labels: [__meta_kubernetes_pod_name]\n        target_label: pod"))
        #expect(LoopbackHTTP.formEncoded([("match[]", "a{b=\"c d\"}\n")]) == "match%5B%5D=a%7Bb%3D%22c%20d%22%7D%0A")
    }
}
