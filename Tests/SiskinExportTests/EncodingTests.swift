import SiskinExport
import Testing

@Suite("Remote write encoding: protobuf WriteRequest, snappy block, labels")
struct EncodingTests {
    @Test("a one-sample WriteRequest is the bytes derived by hand from the .proto")
    func knownBytes() {
        let bytes = RemoteWriteEncoder.encode([
            ExportSeries(labels: [ExportLabel("__name__", "up")], samples: [ExportSample(timestamp: 1000, value: 1)]),
        ])
        // Label{name=1:"__name__", value=2:"up"}: 0a 08 "__name__" 12 02 "up" = 14 bytes.
        let label: [UInt8] = [0x0a, 0x08] + Array("__name__".utf8) + [0x12, 0x02] + Array("up".utf8)
        // Sample{value=1: fixed64 1.0 (0x3ff0000000000000, little endian), timestamp=2: varint 1000 = e8 07}.
        let sample: [UInt8] = [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0xe8, 0x07]
        // TimeSeries{labels=1, samples=2}, then WriteRequest{timeseries=1}.
        let series: [UInt8] = [0x0a, UInt8(label.count)] + label + [0x12, UInt8(sample.count)] + sample
        let expected: [UInt8] = [0x0a, UInt8(series.count)] + series
        #expect(bytes == expected)
        #expect(bytes.count == 32)
    }

    @Test("encode then decode gives the series back: labels canonical, negative and large timestamps, zero values")
    func roundTrip() throws {
        let input = [
            ExportSeries(
                labels: [ExportLabel("reporter", "destination"), ExportLabel("__name__", "istio_requests_total"),
                         ExportLabel("pod", ""), ExportLabel("destination_workload", "podinfo-primary")],
                samples: [ExportSample(timestamp: 1_764_300_000_000, value: 0), ExportSample(timestamp: 1_764_300_005_000, value: 12345.5)]),
            ExportSeries(
                labels: [ExportLabel("le", "+Inf"), ExportLabel("__name__", "x_bucket")],
                samples: [ExportSample(timestamp: -5, value: -0.25), ExportSample(timestamp: Int64.max, value: .infinity)]),
        ]
        let decoded = try WriteRequestDecoder.decode(RemoteWriteEncoder.encode(input))
        #expect(decoded.count == 2)
        #expect(decoded[0].labels == [
            ExportLabel("__name__", "istio_requests_total"), ExportLabel("destination_workload", "podinfo-primary"),
            ExportLabel("reporter", "destination"),
        ])
        #expect(decoded[0].samples == input[0].samples)
        #expect(decoded[1].labels == [ExportLabel("__name__", "x_bucket"), ExportLabel("le", "+Inf")])
        #expect(decoded[1].samples == input[1].samples)
    }

    @Test("labels: sorted by name, empty values dropped, first of duplicate names kept")
    func canonicalLabels() {
        let labels = RemoteWriteEncoder.canonical([
            ExportLabel("b", "2"), ExportLabel("__name__", "m"), ExportLabel("a", ""), ExportLabel("c", "first"),
            ExportLabel("A", "upper"), ExportLabel("c", "second"),
        ])
        #expect(labels == [ExportLabel("A", "upper"), ExportLabel("__name__", "m"), ExportLabel("b", "2"), ExportLabel("c", "first")])
    }

    @Test("snappy: block format (length preamble, no stream header), round trip, corrupt input refused")
    func snappy() throws {
        var input: [UInt8] = []
        for i in 0..<100_000 { input.append(UInt8(truncatingIfNeeded: i % 251 == 0 ? i * 7 : i / 100)) }
        let compressed = Snappy.compress(input)
        #expect(compressed.count < input.count / 4)
        // A block starts with the uncompressed length as a varint (100000 = a0 8d 06);
        // the framed format would start with its stream identifier ff 06 00 00 "sNaPpY".
        #expect(Array(compressed.prefix(3)) == [0xa0, 0x8d, 0x06])
        #expect(try Snappy.uncompress(compressed) == input)
        #expect(try Snappy.uncompress(Snappy.compress([])) == [])
        #expect(throws: Snappy.Failure.self) { try Snappy.uncompress([0xff, 0x06, 0x00, 0x00] + Array("sNaPpY".utf8)) }
        #expect(throws: Snappy.Failure.self) { try Snappy.uncompress(compressed, limit: 1000) }
    }

    @Test("external labels: name=value with a Prometheus label name")
    func externalLabels() {
        #expect(RemoteWriteConfiguration.label("cluster=prod") == ExportLabel("cluster", "prod"))
        #expect(RemoteWriteConfiguration.label("__replica__=siskin-0") == ExportLabel("__replica__", "siskin-0"))
        #expect(RemoteWriteConfiguration.label("a=b=c") == ExportLabel("a", "b=c"))
        #expect(RemoteWriteConfiguration.label("=x") == nil)
        #expect(RemoteWriteConfiguration.label("1x=y") == nil)
        #expect(RemoteWriteConfiguration.label("x=") == nil)
        #expect(RemoteWriteConfiguration.label("noequals") == nil)
    }

    @Test("redacted URL drops credentials")
    func redaction() {
        #expect(RemoteWriteEndpoint(url: "https://u:p@mimir:443/api/v1/push").redactedURL == "https://mimir:443/api/v1/push")
        #expect(RemoteWriteEndpoint(url: "http://mimir/api/v1/push?x=a@b").redactedURL == "http://mimir/api/v1/push?x=a@b")
    }
}
