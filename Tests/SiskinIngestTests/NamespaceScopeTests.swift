import SiskinAggregation
import SiskinIngest
import Testing

/// A namespace-scoped push token may write only its namespaces, through the
/// summary's header and through the namespaces its series' labels claim for
/// the pod's own side of the traffic.
@Suite("Namespace scopes over summaries")
struct NamespaceScopeTests {
    let teamA = TokenScope.namespaces(["team-a"])

    func summary(namespace: String = "team-a", _ series: [[Label]]) -> PodSummary {
        PodSummary(pod: "p", namespace: namespace, agentInstance: "a", sequence: 1, timestampMilliseconds: 0, families: [
            SummaryFamily(name: "istio_requests_total", kind: .counter,
                          series: series.map { SummarySeries(labels: $0, value: .counter(.integer(1))) }),
        ])
    }

    @Test("a pod's own traffic passes: served requests in its namespace, calls it made to other namespaces")
    func ownTraffic() {
        let pushed = summary([
            [Label("reporter", "destination"), Label("destination_workload_namespace", "team-a"),
             Label("source_workload_namespace", "team-b")],
            [Label("reporter", "source"), Label("source_workload_namespace", "team-a"),
             Label("destination_workload_namespace", "team-b")],
            [Label("response_code", "200")],
        ])
        #expect(teamA.violation(in: pushed) == nil)
        #expect(TokenScope.all.violation(in: summary(namespace: "anything", [])) == nil)
    }

    @Test("another namespace in the header, or claimed for the pod's own side, is a violation",
          arguments: [
              ("team-b", [Label("reporter", "destination"), Label("destination_workload_namespace", "team-a")], "namespace 'team-b'"),
              ("team-a", [Label("reporter", "destination"), Label("destination_workload_namespace", "team-b")],
               "destination_workload_namespace=\"team-b\" (reporter=\"destination\")"),
              ("team-a", [Label("reporter", "source"), Label("source_workload_namespace", "team-b")],
               "source_workload_namespace=\"team-b\""),
              ("team-a", [Label("destination_workload_namespace", "team-b")], "destination_workload_namespace=\"team-b\""),
              ("team-a", [Label("reporter", "destination"), Label("namespace", "team-b")], "namespace=\"team-b\""),
          ])
    func violations(namespace: String, labels: [Label], expected: String) {
        let violation = teamA.violation(in: summary(namespace: namespace, [labels]))
        #expect(violation?.contains(expected) == true, "\(violation ?? "nil")")
    }
}
