import SiskinExposition
import SiskinTesting
import Testing

/// Everything the parser reported for one body, as plain values.
struct Parsed {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var labelOrder: [String]
        var value: Double
        var integer: UInt64?
        var timestamp: Int64?
        var role: SampleRole
        var family: String
    }
    var samples: [Sample] = []
    var types: [String: MetricType] = [:]
    var errors: [ParseError] = []
    var sawEOF = false
    var comments = 0

    init(_ body: [UInt8]) {
        ExpositionParser.withParser(over: body) { parser in
            while let entry = parser.next() {
                switch entry {
                case .sample:
                    var labels: [String: String] = [:]
                    var order: [String] = []
                    for label in parser.labels() {
                        let name = parser.bytes.string(label.name)
                        order.append(name)
                        labels[name] = LabelEscaping.unescapedString(
                            parser.bytes[range: label.value], hasEscapes: label.valueHasEscapes)
                    }
                    samples.append(Sample(
                        name: parser.metricNameString, labels: labels, labelOrder: order, value: parser.value,
                        integer: parser.integerValue, timestamp: parser.timestamp, role: parser.role,
                        family: parser.familyNameString))
                case .type: types[parser.familyNameString] = parser.familyType
                case .help, .comment: comments += 1
                case .eof: sawEOF = true
                case .invalid(let error): errors.append(error)
                }
            }
        }
    }
}

@Suite("Exposition parser: the Envoy sidecar format")
struct EnvoyFormatTests {
    @Test("the real-format Envoy sample parses without a single error")
    func envoySample() throws {
        let body = try Fixtures.envoySidecar()
        let parsed = Parsed(body)
        #expect(parsed.errors.isEmpty)
        let sampleLines = String(decoding: body, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(parsed.samples.count == sampleLines.count)
        #expect(parsed.types["istio_requests_total"] == .counter)
        #expect(parsed.types["istio_request_duration_milliseconds"] == .histogram)
        #expect(parsed.types["envoy_server_live"] == .gauge)
    }

    @Test("Istio's 25 labels come out in the proxy's order, reporter first")
    func labelOrder() throws {
        let parsed = Parsed(try Fixtures.envoySidecar())
        let request = try #require(parsed.samples.first { $0.name == "istio_requests_total" })
        #expect(request.labelOrder.count == 25)
        #expect(request.labelOrder.first == "reporter")
        #expect(request.labels["response_code"] == "200")
        #expect(request.labels["grpc_response_status"] == "")
        #expect(request.role == .value)
    }

    @Test("histogram lines get bucket, sum and count roles within their family")
    func histogramRoles() throws {
        let parsed = Parsed(try Fixtures.envoySidecar())
        let duration = parsed.samples.filter { $0.family == "istio_request_duration_milliseconds" }
        let buckets = duration.filter { $0.role == .bucket }
        #expect(!buckets.isEmpty)
        #expect(buckets.count == duration.filter { $0.role == .count }.count * 20)
        #expect(duration.filter { $0.role == .sum }.count == duration.filter { $0.role == .count }.count)
        #expect(buckets.allSatisfy { $0.labels["le"] != nil })
    }

    @Test("empty label sets `{}` parse as no labels")
    func emptyLabelSet() throws {
        let parsed = Parsed(try Fixtures.envoySidecar())
        let live = try #require(parsed.samples.first { $0.name == "envoy_server_live" })
        #expect(live.labels.isEmpty)
        #expect(live.value == 1)
    }

    @Test("escaped quote, backslash and newline in a label value are resolved")
    func escapes() throws {
        let parsed = Parsed(try Fixtures.envoySidecar())
        let line = try #require(parsed.samples.first { $0.name == "envoy_http_downstream_rq_xx" })
        #expect(line.labels["envoy_http_conn_manager_prefix"] == "path \"with\" quotes\\and\nnewline")
    }

    @Test("the ASM sample (response_code first, cluster ids) parses")
    func asmSample() throws {
        let parsed = Parsed(try Fixtures.asmSidecar())
        #expect(parsed.errors.isEmpty)
        let first = try #require(parsed.samples.first)
        #expect(first.labelOrder.first == "response_code")
        #expect(first.labels["source_cluster"]?.hasPrefix("c") == true)
    }
}

@Suite("Exposition parser: what the text format allows")
struct TextFormatTests {
    @Test("HELP, comments and blank lines are entries or skipped, never samples")
    func commentsAndHelp() {
        let parsed = Parsed(ExpositionBody.lines(
            "# HELP http_requests_total The total number of \\\\ requests.",
            "# some free comment",
            "",
            "# TYPE http_requests_total counter",
            "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000",
            "   ",
            "http_requests_total{method=\"post\",code=\"400\"}    3 1395066363000"))
        #expect(parsed.errors.isEmpty)
        #expect(parsed.comments == 2)
        #expect(parsed.samples.map(\.value) == [1027, 3])
        #expect(parsed.samples.map(\.timestamp) == [1_395_066_363_000, 1_395_066_363_000])
    }

    @Test("special values, exponents and signs", arguments: [
        ("NaN", Double.nan), ("+Inf", Double.infinity), ("-Inf", -Double.infinity), ("Inf", Double.infinity),
        ("1.5e3", 1500), ("-2", -2), ("+7", 7), ("3.6e+06", 3_600_000), ("0.25", 0.25), ("1E-2", 0.01),
    ])
    func specialValues(text: String, expected: Double) {
        let parsed = Parsed(ExpositionBody.lines("m \(text)"))
        #expect(parsed.errors.isEmpty)
        let value = parsed.samples.first?.value
        if expected.isNaN { #expect(value?.isNaN == true) } else { #expect(value == expected) }
        #expect(parsed.samples.first?.integer == nil)
    }

    @Test("integers beyond 2^53 stay exact up to UInt64.max")
    func largeIntegers() {
        let parsed = Parsed(ExpositionBody.lines(
            "a 9007199254740993", "b 18446744073709551615", "c 18446744073709551616", "d 0"))
        #expect(parsed.samples[0].integer == 9_007_199_254_740_993)
        #expect(parsed.samples[1].integer == UInt64.max)
        #expect(parsed.samples[2].integer == nil)
        #expect(parsed.samples[2].value == 18_446_744_073_709_551_616)
        #expect(parsed.samples[3].integer == 0)
    }

    @Test("labels with blanks around tokens and a trailing comma")
    func looseLabelSyntax() {
        let parsed = Parsed(ExpositionBody.lines("m{ a = \"1\" ,\tb=\"}, \\\"x\",} 2", "n{} 1"))
        #expect(parsed.errors.isEmpty)
        #expect(parsed.samples[0].labels == ["a": "1", "b": "}, \"x"])
        #expect(parsed.samples[0].value == 2)
    }

    @Test("CRLF line endings and a last line without newline")
    func lineEndings() {
        let body = Array("# TYPE m counter\r\nm{a=\"1\"} 5\r\nm{a=\"2\"} 6".utf8)
        let parsed = Parsed(body)
        #expect(parsed.errors.isEmpty)
        #expect(parsed.samples.map(\.value) == [5, 6])
    }

    @Test("OpenMetrics bodies: _created ignored by role, exemplars skipped, # EOF ends")
    func openMetrics() {
        let parsed = Parsed(ExpositionBody.lines(
            "# TYPE rpc counter",
            "rpc_total{code=\"200\"} 10 # {trace_id=\"abc\"} 1.0 1520879607.789",
            "rpc_created{code=\"200\"} 1520872607.123",
            "# TYPE lat histogram",
            "lat_bucket{le=\"1\"} 3 # {trace_id=\"x\"} 0.5",
            "lat_bucket{le=\"+Inf\"} 4",
            "lat_count 4",
            "lat_sum 2.5",
            "lat_created 1520872607.123",
            "# EOF",
            "garbage after eof {{{"))
        #expect(parsed.errors.isEmpty)
        #expect(parsed.sawEOF)
        #expect(parsed.samples.map(\.role) == [.value, .created, .bucket, .bucket, .count, .sum, .created])
        #expect(parsed.samples[0].family == "rpc")
    }

    @Test("a sample without # TYPE starts an untyped family of its own")
    func untyped() {
        let parsed = Parsed(ExpositionBody.lines("# TYPE a counter", "a 1", "b_bucket{le=\"1\"} 2"))
        #expect(parsed.samples[1].family == "b_bucket")
        #expect(parsed.samples[1].role == .value)
    }

    @Test("OpenMetrics float-second timestamps become milliseconds")
    func floatTimestamps() {
        let parsed = Parsed(ExpositionBody.lines("m 1 1520879607.789", "n 1 -5"))
        #expect(parsed.samples[0].timestamp == 1_520_879_607_789)
        #expect(parsed.samples[1].timestamp == -5)
    }
}

@Suite("Exposition parser: bad input")
struct BadInputTests {
    @Test("each broken line is reported with its number and reason", arguments: [
        ("m{a=\"1\" 5", ParseError.Reason.expectedCommaOrBrace),
        ("m{a=\"1} 5", .unterminatedLabelValue),
        ("m{1a=\"1\"} 5", .invalidLabelName),
        ("m{a:\"1\"} 5", .expectedEquals),
        ("m{a=1} 5", .expectedQuote),
        ("m 12abc", .invalidValue),
        ("m", .missingValue),
        ("m{a=\"1\"}", .missingValue),
        ("m 1 2 3", .trailingData),
        ("m 1 notatime", .invalidTimestamp),
        ("9m 1", .invalidMetricName),
        ("# TYPE m blob", .unknownType),
        ("# TYPE", .invalidTypeLine),
        ("# TYPE m", .invalidTypeLine),
        ("m{a=\"1\"}5", .expectedBlank),
        ("m-x 1", .expectedBlank),
    ])
    func brokenLine(line: String, reason: ParseError.Reason) throws {
        let parsed = Parsed(ExpositionBody.lines("good_before 1", line, "good_after 2"))
        let error = try #require(parsed.errors.first)
        #expect(parsed.errors.count == 1)
        #expect(error.line == 2)
        #expect(error.reason == reason)
        #expect(error.description.contains("line 2"))
        // The good lines around it survive.
        #expect(parsed.samples.map(\.name) == ["good_before", "good_after"])
    }

    @Test("random bytes never crash or hang, and every line is accounted for")
    func randomBytes() {
        var random = SeededRandom(seed: 7)
        let alphabet = Array("ab_{}=\",\\ \n\t#019.eE+-NaInf\"le".utf8)
        for _ in 0..<400 {
            let length = Int(random.next() % 600)
            var body: [UInt8] = []
            for _ in 0..<length {
                if random.next() % 7 == 0 {
                    body.append(UInt8(truncatingIfNeeded: random.next()))
                } else {
                    body.append(alphabet[Int(random.next() % UInt64(alphabet.count))])
                }
            }
            let parsed = Parsed(body)
            let lineCount = body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
            #expect(parsed.samples.count + parsed.errors.count <= lineCount)
        }
    }

    @Test("a single huge line without newline is handled in bounded time")
    func hugeLine() {
        var body = Array("m{a=\"".utf8)
        body += [UInt8](repeating: UInt8(ascii: "x"), count: 4 << 20)
        let parsed = Parsed(body)
        #expect(parsed.errors.map(\.reason) == [.unterminatedLabelValue])
        #expect(parsed.errors.first!.excerpt.utf8.count <= 120)
    }

    @Test("an empty body and a body of NUL bytes")
    func degenerate() {
        #expect(Parsed([]).samples.isEmpty)
        let zeros = Parsed([UInt8](repeating: 0, count: 1000))
        #expect(zeros.samples.isEmpty)
        #expect(zeros.errors.count == 1)
    }
}

@Suite("Exposition parser: fast paths")
struct FastPathTests {
    @Test("skipFamily passes a whole family without reading its labels")
    func skipFamily() {
        let body = ExpositionBody.lines(
            "# TYPE skip_me histogram",
            "skip_me_bucket{le=\"1\",broken labels are not even read} 1",
            "skip_me_bucket{le=\"+Inf\"} 1",
            "skip_me_sum 1",
            "skip_me_count 1",
            "",
            "# TYPE keep counter",
            "keep 5")
        ExpositionParser.withParser(over: body) { parser in
            #expect(parser.next() == .type)
            #expect(parser.skipFamily() == 4)
            #expect(parser.next() == .type)
            #expect(parser.familyNameString == "keep")
            #expect(parser.next() == .sample)
            #expect(parser.lineNumber == 8)
            #expect(parser.value == 5)
        }
    }

    @Test("skipFamily stops at a sample of another family that shares the prefix")
    func skipStopsAtPrefixSibling() {
        let body = ExpositionBody.lines("# TYPE a counter", "a 1", "a_total 2", "ab 3")
        ExpositionParser.withParser(over: body) { parser in
            _ = parser.next()
            #expect(parser.skipFamily() == 2)
            #expect(parser.next() == .sample)
            #expect(parser.metricNameString == "ab")
        }
    }

    @Test("consumeSample(ifKeyEquals:) matches exact series bytes only")
    func keyMatch() {
        let body = ExpositionBody.lines("m{a=\"1\"} 5", "m{a=\"1\"}x 6", "m{a=\"1\"} oops")
        let key = Array("m{a=\"1\"}".utf8)
        ExpositionParser.withParser(over: body) { parser in
            key.withUnsafeBytes { key in
                #expect(parser.consumeSample(ifKeyEquals: key) == .matched)
                #expect(parser.value == 5)
                #expect(parser.integerValue == 5)
                #expect(parser.consumeSample(ifKeyEquals: key) == .notMatched)
                #expect(parser.next() == .invalid(ParseError(line: 2, reason: .expectedBlank, excerpt: "m{a=\"1\"}x 6")))
                if case .invalid(let error) = parser.consumeSample(ifKeyEquals: key) {
                    #expect(error.reason == .invalidValue)
                    #expect(error.line == 3)
                } else {
                    Issue.record("expected the broken value to be reported")
                }
                #expect(parser.isAtEnd)
            }
        }
    }
}

@Suite("Text helpers")
struct TrimmingTests {
    @Test("trimming works on scalars, so CRLF and a lone newline both go")
    func trimming() {
        #expect("s3cret\n".trimmingScalars(in: " \t\r\n") == "s3cret")
        #expect("\r\n token \r\n".trimmingScalars(in: " \t\r\n") == "token")
        #expect("\n\n".trimmingScalars(in: "\n") == "")
    }
}
