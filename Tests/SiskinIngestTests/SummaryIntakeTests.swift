import SiskinAggregation
import SiskinIngest
import SiskinWire
import Testing

@Suite("Summary intake: content type, size and decoding checks")
struct SummaryIntakeTests {
    func body() throws -> (PodSummary, [UInt8]) {
        var pod = webPod()
        pod.serve(100, latency: 20)
        pod.serve(3, code: "503", latency: 300)
        pod.metadata = [Label("agent_version", "0.1.0")]
        let summary = pod.push(at: t0)
        return (summary, try SummaryEncoder().encode(summary).bytes)
    }

    @Test("an encoded summary decodes to the same summary, media type parameters ignored")
    func roundTrip() throws {
        let (summary, bytes) = try body()
        let intake = SummaryIntake()
        #expect(try intake.accept(bytes) == summary)
        #expect(try intake.accept(bytes, contentType: WireFormat.contentType) == summary)
        #expect(try intake.accept(bytes, contentType: "Application/X-Siskin-Summary; charset=binary") == summary)
    }

    @Test("a wrong media type is refused with 415")
    func wrongContentType() throws {
        let (_, bytes) = try body()
        #expect(throws: SummaryIntake.Rejection.unsupportedContentType("application/json")) {
            try SummaryIntake().accept(bytes, contentType: "application/json")
        }
        #expect(SummaryIntake.Rejection.unsupportedContentType("text/plain").httpStatus == 415)
    }

    @Test("a body over the size limit is refused with 413 before decoding")
    func tooLarge() throws {
        let (_, bytes) = try body()
        let intake = SummaryIntake(limits: DecodingLimits(maxCompressedBytes: bytes.count - 1))
        #expect(throws: SummaryIntake.Rejection.tooLarge(bytes: bytes.count, limit: bytes.count - 1)) {
            try intake.accept(bytes)
        }
        #expect(SummaryIntake.Rejection.tooLarge(bytes: 2, limit: 1).httpStatus == 413)
    }

    @Test("a body that is not a summary is refused with 400")
    func undecodable() throws {
        let (_, bytes) = try body()
        for broken in [[UInt8](), Array("hello".utf8), Array(bytes.dropLast(3))] {
            do {
                _ = try SummaryIntake().accept(broken)
                Issue.record("accepted \(broken.count) bytes that are not a summary")
            } catch {
                #expect(error.httpStatus == 400)
            }
        }
    }
}
