import SiskinAutoscaling
import Testing

@Suite("Metrics catalogue: built-in metrics and YAML")
struct CatalogueTests {
    @Test("the built-in catalogue has the three metrics, a 1m window, requests per second per pod")
    func builtIn() throws {
        let catalogue = MetricsCatalogue.builtIn()
        #expect(catalogue.metrics.map(\.name) == [
            "istio_requests_per_second", "istio_request_error_ratio", "istio_request_duration_p99_milliseconds",
        ])
        #expect(catalogue.metrics.allSatisfy { $0.windowSeconds == 60 && $0.external })
        #expect(catalogue.metric(named: "istio_requests_per_second")?.resources.contains(.pods) == true)
        #expect(catalogue.metric(named: "istio_request_error_ratio")?.resources.contains(.pods) == false)
        #expect(catalogue.metric(named: "istio_request_error_ratio")?.resources.contains(.deployments) == true)
    }

    @Test("templates are filled with the window, the matchers and the grouping")
    func expansion() throws {
        let metric = try #require(MetricsCatalogue.builtIn().metric(named: "istio_requests_per_second"))
        #expect(metric.expand(matchers: ["namespace=\"test\""], by: ["namespace", "pod"])
            == "sum by (namespace,pod) (rate(istio_requests_total{reporter=\"destination\",namespace=\"test\"}[60000ms]))")
    }

    @Test("a YAML catalogue sets a global window, per-metric windows and resources")
    func yaml() throws {
        let catalogue = try MetricsCatalogue(yaml: """
            window: 2m
            metrics:
              - name: podinfo_rps
                query: sum by ($by) (rate(istio_requests_total{$matchers}[$window]))
                resources: [pods, deployments]
              - name: podinfo_5xx
                query: sum by ($by) (rate(istio_requests_total{response_code=~"5.*",$matchers}[$window]))
                resources: [services]
                external: false
                window: 30s
            """)
        #expect(catalogue.metrics.map(\.name) == ["podinfo_rps", "podinfo_5xx"])
        #expect(catalogue.metrics[0].windowSeconds == 120)
        #expect(catalogue.metrics[0].resources == [.pods, .deployments])
        #expect(catalogue.metrics[1].windowSeconds == 30)
        #expect(catalogue.metrics[1].external == false)
    }

    @Test("a YAML file without metrics gives the built-in ones with its window")
    func windowOnly() throws {
        let catalogue = try MetricsCatalogue(yaml: "window: 5m\n")
        #expect(catalogue.metrics.count == 3)
        #expect(catalogue.metrics.allSatisfy { $0.windowSeconds == 300 })
    }

    @Test("unusable catalogues are refused when loaded",
          arguments: [
              "metrics:\n  - name: x\n    query: sum by ($by) (rate(foo{$matchers}[$window])\n    resources: [pods]\n",
              "metrics:\n  - name: x\n    query: foo{$matchers}\n    resources: [nodes]\n",
              "metrics:\n  - name: x\n    query: foo{$matchers}\n  - name: x\n    query: foo{$matchers}\n",
              "metrics:\n  - name: x/y\n    query: foo{$matchers}\n",
              "window: soon\n",
              "metrics: 3\n",
          ])
    func refused(yaml: String) {
        #expect(throws: CatalogueError.self) { try MetricsCatalogue(yaml: yaml) }
    }
}
