import Foundation
import SiskinServer
import SiskinTesting
import Testing

/// The main port over HTTPS picks up a rotated certificate without a
/// restart, as the metrics APIs' port does (one `CertificateStore`).
@Suite("Main port over HTTPS: certificate rotation", .serialized)
struct ListenTLSRotationTests {
    @Test("a new pair written over the files is served to the next connection; the old CA no longer verifies")
    func rotation() async throws {
        let directory = try BuiltExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await TestTLS.selfSigned("listen-a", in: directory)
        let server = try await RunningServer.start(configuration: ServerConfiguration(
            tls: try CertificateStore(certificateFile: first.certificate, keyFile: first.key), fileReloadSeconds: 0.2))
        let url = "https://localhost:\(server.port)/api/v1/siskin/workloads"
        #expect(try await TestTLS.get(url, caFile: first.certificate).status == 200)

        let second = try await TestTLS.selfSigned("listen-b", in: directory)
        let kept = directory + "/listen-a-kept.crt"
        try FileManager.default.copyItem(atPath: first.certificate, toPath: kept)
        for (from, to) in [(second.key, first.key), (second.certificate, first.certificate)] {
            try Data(contentsOf: URL(fileURLWithPath: from)).write(to: URL(fileURLWithPath: to))
        }
        var reply = try await TestTLS.get(url, caFile: second.certificate)
        let rotated = await waitUntilAsync(timeout: 15) {
            reply = (try? await TestTLS.get(url, caFile: second.certificate)) ?? reply
            return reply.status == 200
        }
        #expect(rotated, "\(reply.stderr)")
        let stale = try await TestTLS.get(url, caFile: kept)
        #expect(stale.status == 0 && stale.curlExit != 0)
        await server.stop()
    }
}
