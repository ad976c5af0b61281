import Foundation
import SiskinAggregation
import SiskinIngest
import SiskinServer
import SiskinStore
import SiskinTesting
import SiskinWire
import Testing

/// What an agent sees when it pushes: the answers docs/wire-format.md
/// promises, over real HTTP.
@Suite("Ingest over HTTP", .serialized)
struct IngestHTTPTests {
    static let headers = [("Content-Type", WireFormat.contentType)]

    func push(_ server: RunningServer, _ body: [UInt8], headers: [(String, String)] = IngestHTTPTests.headers) async throws -> TestHTTP.Reply {
        try await TestHTTP.post(server.baseURL + WireFormat.ingestPath, body: body, headers: headers)
    }

    @Test("a first push is a baseline, the next is applied, a retry is a harmless duplicate")
    func acceptedThenDuplicate() async throws {
        let server = try await RunningServer.start()
        // On the 5 s slot grid, so the window sum is exact.
        let now = ServerClock.nowMilliseconds() / 5_000 * 5_000
        var pod = SimulatedPod(pod: "podinfo-1", workload: "podinfo", revision: "v1")
        let first = try await push(server, try pod.body(at: now - 10_000))
        #expect(first.status == 202)
        #expect(first.body == "baseline\n")
        pod.serve(100)
        let second = try pod.body(at: now - 5_000)
        let applied = try await push(server, second)
        #expect(applied.status == 202)
        #expect(applied.body == "applied\n")
        let retry = try await push(server, second)
        #expect(retry.status == 200)
        #expect(retry.body.hasPrefix("duplicate"))
        let total = server.database.read { store in
            store.select(.pod, name: "istio_requests_total", matching: [])
                .map { store.total(.pod, $0, from: now - 60_000, to: now)[0] }.reduce(0, +)
        }
        #expect(total == 100)
        await server.stop()
    }

    @Test("without the bearer token a push gets 401 and changes nothing")
    func unauthorized() async throws {
        let server = try await RunningServer.start(configuration: ServerConfiguration(tokens: BearerTokens(tokens: ["s3cret"])))
        var pod = SimulatedPod(pod: "p", workload: "w", revision: "v1")
        let body = try pod.body(at: ServerClock.nowMilliseconds())
        let missing = try await push(server, body)
        #expect(missing.status == 401)
        let wrong = try await push(server, body, headers: Self.headers + [("Authorization", "Bearer s3creT")])
        #expect(wrong.status == 401)
        #expect(server.database.read { $0.podCount } == 0)
        let right = try await push(server, body, headers: Self.headers + [("Authorization", "Bearer s3cret")])
        #expect(right.status == 202)
        #expect(server.database.read { $0.podCount } == 1)
        await server.stop()
    }

    @Test("wrong media type is 415, garbage is 400, an oversized body is 413")
    func badBodies() async throws {
        let server = try await RunningServer.start()
        var pod = SimulatedPod(pod: "p", workload: "w", revision: "v1")
        let body = try pod.body(at: ServerClock.nowMilliseconds())
        #expect(try await push(server, body, headers: [("Content-Type", "text/plain")]).status == 415)
        #expect(try await push(server, Array("not a summary".utf8)).status == 400)
        let garbage = try await push(server, Array(body.prefix(body.count / 2)))
        #expect(garbage.status == 400)
        #expect(garbage.body.contains("not a valid summary"))
        let huge = [UInt8](repeating: 7, count: ServerConfiguration.ingestLimits.maxCompressedBytes + 1)
        #expect(try await push(server, huge).status == 413)
        #expect(try await push(server, body, headers: Self.headers + [("Content-Encoding", "gzip")]).status == 415)
        #expect(server.database.read { $0.podCount } == 0)
        let metrics = try await TestHTTP.get(server.baseURL + "/metrics")
        #expect(metrics.body.contains("siskin_pushes_rejected_total{reason=\"undecodable\"} 2"))
        #expect(metrics.body.contains("siskin_pushes_rejected_total{reason=\"unsupported_media_type\"} 1"))
        #expect(metrics.body.contains("siskin_pushes_rejected_total{reason=\"too_large\"} 1"))
        await server.stop()
    }

    @Test("a zlib bomb is refused after inflating at most the limit")
    func zlibBomb() async throws {
        let server = try await RunningServer.start()
        // 64 MiB of zeros compresses to ~64 KB; the frame honestly declares
        // its size, far above the 8 MiB limit.
        let zeros = [UInt8](repeating: 0, count: 64 << 20)
        let compressed = try Zlib.deflate(zeros, level: 9)
        var frame = FrameHeader(isCompressed: true, uncompressedLength: zeros.count).bytes
        frame += compressed
        let honest = try await push(server, frame)
        #expect(honest.status == 400)
        // The same bomb lying about its size: inflating stops at the declared length.
        var liar = FrameHeader(isCompressed: true, uncompressedLength: 1 << 20).bytes
        liar += compressed
        let lying = try await push(server, liar)
        #expect(lying.status == 400)
        #expect(server.database.read { $0.podCount } == 0)
        await server.stop()
    }

    @Test("a timestamp far in the future is refused, so one bad clock cannot wipe the rings")
    func futureTimestamp() async throws {
        let server = try await RunningServer.start()
        var pod = SimulatedPod(pod: "p", workload: "w", revision: "v1")
        let reply = try await push(server, try pod.body(at: ServerClock.nowMilliseconds() + 3_600_000))
        #expect(reply.status == 400)
        #expect(reply.body.contains("ahead of the aggregator's clock"))
        await server.stop()
    }

    @Test("health, readiness and self-metrics answer")
    func probes() async throws {
        let server = try await RunningServer.start()
        #expect(try await TestHTTP.get(server.baseURL + "/healthz").status == 200)
        #expect(try await TestHTTP.get(server.baseURL + "/readyz").status == 200)
        var pod = SimulatedPod(pod: "p", workload: "w", revision: "v1")
        _ = try await push(server, try pod.body(at: ServerClock.nowMilliseconds()))
        let metrics = try await TestHTTP.get(server.baseURL + "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("siskin_pushes_accepted_total 1"))
        #expect(metrics.body.contains("siskin_pods 1"))
        #expect(metrics.body.contains("siskin_ingest_duration_seconds_bucket"))
        #expect(metrics.body.contains("siskin_series{level=\"pod\"} 3"))
        await server.stop()
    }
}
