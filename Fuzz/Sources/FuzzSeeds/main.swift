// Writes the wire-format seed corpora with the project's own encoder, so the
// seeds are always frames the current SummaryEncoder produces:
//   Corpus/wire-frame/<name>   whole compressed frames (level 6, as agents push)
//   Corpus/wire-payload/<name> the payload of the same summary (level 0 frame
//                              without its 10-byte header)
// Summaries: the real-format fixtures in Tests/Fixtures aggregated with the
// default rules (what an agent would push for them), and a small summary with
// every value shape the format has (NaN, infinities, float counters, tagged
// buckets, empty families, non-ASCII strings).
// Run by `scripts/fuzz seeds` (a plain build, no sanitizers).
import SiskinAggregation
import SiskinExposition
import SiskinWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    print("usage: FuzzSeeds <repository root> <corpus folder>")
    exit(2)
}
let root = arguments[1]
let corpus = arguments[2]

func write(_ bytes: [UInt8], to path: String) {
    guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}

func summary(ofFixture name: String) throws -> PodSummary {
    let body = try BodyReader.readAll(root + "/Tests/Fixtures/" + name)
    var aggregator = PodAggregator(pod: "reviews-v1-abc", namespace: "bookinfo")
    _ = try aggregator.ingest(body)
    return aggregator.summary(
        agentInstance: "seed-agent", sequence: 1, timestampMilliseconds: 1_700_000_000_000,
        podLabels: [Label("app", "reviews")], metadata: [Label("agent_version", "seed")])
}

let shapes = PodSummary(
    pod: "p", namespace: "ns", podLabels: [Label("app", "a"), Label("é", "日本")], agentInstance: "i",
    sequence: .max, timestampMilliseconds: -1, metadata: [Label("", "")],
    families: [
        SummaryFamily(name: "empty", kind: .counter, series: []),
        SummaryFamily(name: "c", kind: .counter, series: [
            SummarySeries(labels: [Label("code", "200")], value: .counter(.integer(.max))),
            SummarySeries(labels: [Label("code", "503")], value: .counter(.float(1.5))),
            SummarySeries(labels: [], value: .counter(.float(.nan))),
        ]),
        SummaryFamily(name: "g", kind: .gauge, series: [
            SummarySeries(labels: [], value: .gauge(-.infinity)),
            SummarySeries(labels: [Label("s", "-0")], value: .gauge(-0.0)),
        ]),
        SummaryFamily(name: "h", kind: .histogram, series: [
            SummarySeries(labels: [Label("code", "200")], value: .histogram(HistogramValue(
                bounds: [0.5, 1, 5], bucketCounts: [.integer(1), .integer(2), .integer(4), .integer(9)],
                sum: 12.5, count: .integer(9)))),
            SummarySeries(labels: [Label("code", "503")], value: .histogram(HistogramValue(
                bounds: [-1, 0.25], bucketCounts: [.float(3.5), .integer(2), .float(.nan)],
                sum: .nan, count: .integer(7)))),
            SummarySeries(labels: [], value: .histogram(HistogramValue(
                bounds: [], bucketCounts: [.integer(4)], sum: .infinity, count: .float(4)))),
        ]),
    ])

let empty = PodSummary(pod: "", namespace: "", agentInstance: "", sequence: 0, timestampMilliseconds: 0, families: [])

var summaries: [(String, PodSummary)] = [("shapes", shapes), ("empty", empty)]
for fixture in ["asm-sidecar-sample.txt", "envoy-sidecar-sample.txt"] {
    summaries.append((String(fixture.dropLast(4)), try summary(ofFixture: fixture)))
}
for (name, value) in summaries {
    let frame = try SummaryEncoder().encode(value).bytes
    write(frame, to: corpus + "/wire-frame/" + name)
    let plain = try SummaryEncoder(compressionLevel: 0).encode(value).bytes
    write(Array(plain[WireFormat.headerSize...]), to: corpus + "/wire-payload/" + name)
    print("\(name): \(value.seriesCount) series, frame \(frame.count) B, payload \(plain.count - WireFormat.headerSize) B")
}
