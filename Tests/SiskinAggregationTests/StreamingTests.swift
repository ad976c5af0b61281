import SiskinAggregation
import SiskinExposition
import SiskinSimulator
import SiskinTesting
import Testing

/// Feeds `body` in pieces whose sizes come from `random` (1 byte to 64 KiB).
func stream(_ body: [UInt8], into aggregator: inout PodAggregator, random: inout SeededRandom, complete: Bool = true) -> ScrapeReport {
    aggregator.beginScrape(expectedBytes: body.count)
    body.withUnsafeBytes { bytes in
        var offset = 0
        while offset < bytes.count {
            let size: Int
            switch random.next() % 4 {
            case 0: size = 1 + Int(random.next() % 16)
            case 1: size = 1 + Int(random.next() % 2000)
            default: size = 1 + Int(random.next() % 65536)
            }
            let end = min(bytes.count, offset + size)
            aggregator.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
        }
    }
    return aggregator.endScrape(complete: complete)
}

/// The parts of a report that must not depend on how the body was cut.
func comparable(_ r: ScrapeReport) -> [Int] {
    [r.bytes, r.lines, r.samples, r.keptSamples, r.ignoredSamples, r.skippedLines, r.familiesSeen, r.familiesKept,
     r.newSeries, r.newOutputSeries, r.resets, r.envoyRestarts, r.errorCount, r.rawSeries, r.outputSeries]
}

@Suite("Streaming ingest: the body as libcurl hands it over")
struct StreamingTests {
    @Test("any way of cutting the body gives the same summaries and reports as the whole body",
          arguments: [1, 2, 3, 4])
    func sameAsWholeBody(seed: UInt64) throws {
        var fleet = Fleet(preset: .medium, seed: seed)
        var whole = PodAggregator(pod: "p", namespace: "n")
        var streamed = PodAggregator(pod: "p", namespace: "n")
        var random = SeededRandom(seed: seed)
        for scrape in 0..<6 {
            if scrape == 3 { fleet.restartFocus() }
            fleet.advance(by: 15)
            var body = fleet.focus.render()
            if scrape == 4 {
                // A malformed line in the middle: same error, same line number.
                let text = String(decoding: body, as: UTF8.self)
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                var edited = lines.map(String.init)
                edited.insert("istio_requests_total{reporter=\"destination\" 1", at: lines.count / 2)
                body = Array(edited.joined(separator: "\n").utf8)
            }
            let wholeReport = try whole.ingest(body)
            let streamedReport = stream(body, into: &streamed, random: &random)
            #expect(comparable(streamedReport) == comparable(wholeReport), "scrape \(scrape)")
            #expect(streamedReport.errors == wholeReport.errors)
            let a = whole.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0)
            let b = streamed.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0)
            #expect(a == b, "scrape \(scrape)")
        }
    }

    @Test("the fixture, with escapes, `{}` and a last line without newline, byte by byte")
    func fixtureByteByByte() throws {
        var body = try Fixtures.envoySidecar()
        while body.last == UInt8(ascii: "\n") { body.removeLast() }
        var whole = PodAggregator(pod: "p", namespace: "n", rules: AggregationRules(rules: [
            AggregationRule(families: ["istio_requests_total", "istio_request_duration_milliseconds", "envoy_http_downstream_rq_xx"], labels: .without([]))
        ]))
        var streamed = whole
        let wholeReport = try whole.ingest(body)
        streamed.beginScrape()
        for i in body.indices { body.withUnsafeBytes { streamed.feed(UnsafeRawBufferPointer(rebasing: $0[i..<i + 1])) } }
        let streamedReport = streamed.endScrape()
        #expect(comparable(streamedReport) == comparable(wholeReport))
        #expect(whole.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0)
                == streamed.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0))
    }

    @Test("a transfer that breaks off mid-line does not count the cut-off number")
    func brokenTransfer() throws {
        var aggregator = PodAggregator(pod: "p", namespace: "n", rules: exactnessRules)
        try aggregator.ingest(ExpositionBody.lines("# TYPE req_total counter", req("a", "200", "12345")))
        // The next body is cut after "12": a whole-line parse would read 12 (a reset).
        let cut = Array("# TYPE req_total counter\n\(req("a", "200", "12399"))".utf8.dropLast(3))
        aggregator.beginScrape()
        cut.withUnsafeBytes { aggregator.feed($0) }
        let report = aggregator.endScrape(complete: false)
        #expect(report.resets == 0)
        try aggregator.ingest(ExpositionBody.lines("# TYPE req_total counter", req("a", "200", "12400")))
        let summary = aggregator.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0)
        #expect(counterValue(summary, code: "200") == .integer(12400))
    }

    @Test("an endless line is dropped with an error, not buffered")
    func endlessLine() throws {
        var options = PodAggregator.Options()
        options.maxLineBytes = 4096
        var aggregator = PodAggregator(pod: "p", namespace: "n", rules: exactnessRules, options: options)
        aggregator.beginScrape()
        let header = Array("# TYPE req_total counter\n".utf8)
        header.withUnsafeBytes { aggregator.feed($0) }
        let junk = [UInt8](repeating: UInt8(ascii: "x"), count: 1000)
        for _ in 0..<100 { junk.withUnsafeBytes { aggregator.feed($0) } }
        let tail = Array("\n\(req("a", "200", "7"))\n".utf8)
        tail.withUnsafeBytes { aggregator.feed($0) }
        let report = aggregator.endScrape()
        #expect(report.errors.map(\.reason) == [.lineTooLong])
        #expect(report.errors.first?.line == 2)
        let summary = aggregator.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0)
        #expect(counterValue(summary, code: "200") == .integer(7))
    }

    @Test("the uptime family with no sample does not swallow the next family's TYPE line")
    func emptyUptimeFamily() throws {
        var aggregator = PodAggregator(pod: "p", namespace: "n", rules: exactnessRules)
        let report = try aggregator.ingest(ExpositionBody.lines(
            "# TYPE envoy_server_uptime gauge", "# TYPE req_total counter", req("a", "200", "3")))
        #expect(report.familiesSeen == 2)
        let summary = aggregator.summary(agentInstance: "t", sequence: 0, timestampMilliseconds: 0)
        #expect(counterValue(summary, code: "200") == .integer(3))
    }
}
