import SiskinSimulator
import Testing

@Suite("Escaping: label values survive the text format")
struct EscapingTests {
    static let awkward = "v1 \"beta\" C:\\path\nsecond line"

    @Test("backslash, double quote and newline are escaped as \\\\, \\\" and \\n")
    func escapesHandRecordedLabels() {
        var sidecar = TestData.standaloneSidecar()
        sidecar.recordRequests(TestData.labels(version: Self.awkward), durationsMs: [3])
        let text = String(decoding: sidecar.render(), as: UTF8.self)
        #expect(text.contains(#"destination_version="v1 \"beta\" C:\\path\nsecond line""#))
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("second line") }, "no raw newline inside a value")
        let sample = ParsedExposition(sidecar.render()).samples("istio_requests_total").first!
        #expect(sample.label("destination_version") == Self.awkward)
    }

    @Test("every line stays one line even with a newline in a workload's labels")
    func escapesTopologyLabels() {
        var gateway = Workload.ingressGateway(podCount: 1)
        gateway.version = Self.awkward
        let backend = Workload(
            name: "backend", namespace: "test", service: ServicePort(name: "backend", namespace: "test", port: 80))
        let topology = MeshTopology(
            workloads: [gateway, backend], edges: [TrafficEdge(from: gateway.name, to: backend.name, requestsPerSecond: 5)])
        var fleet = Fleet(topology: topology, seed: 3)
        fleet.advance(by: 60)
        for sidecar in fleet.sidecars {
            let parsed = ParsedExposition(sidecar.render())
            for line in parsed.lines where !line.isEmpty && !line.hasPrefix("#") {
                _ = ParsedExposition.parseSample(line)  // parses as exactly one sample
            }
            let versions = parsed.samples("istio_requests_total").map { $0.label("source_version") }
            #expect(!versions.isEmpty)
            #expect(versions.allSatisfy { $0 == Self.awkward })
        }
    }
}
