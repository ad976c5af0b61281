import Foundation
import SiskinSimulator
import SiskinTesting
import Testing

/// The real `siskin-agent` pushing over HTTPS to the real `siskin serve`
/// (`--listen-tls-cert-file`), trusting only a throw-away CA made with
/// `openssl` (`--ca-file`); an agent trusting another CA is refused by its
/// own TLS check and says why. Tokens never reach a log.
@Suite("TLS: siskin-agent → siskin serve over HTTPS", .serialized)
struct TLSPushTests {
    static let pushToken = "push-tls-5f1e9c0d7a3b4e21"
    static let readToken = "read-tls-8c2d4a6b0e9f1a37"

    func startAgent(envoy: FakeEnvoy, pushURL: String, caFile: String, tokenFile: String, pod: String,
                    directory: String) throws -> Process {
        try BuiltExecutable.start("siskin-agent", [
            "run", "--scrape-url", envoy.scrapeURL, "--push-url", pushURL, "--ca-file", caFile, "--token-file", tokenFile,
            "--interval", "200ms", "--timeout", "2s", "--pod", pod, "--namespace", "test",
            "--status-file", directory + "/\(pod).status",
        ], stdout: directory + "/\(pod).out", stderr: directory + "/\(pod).err")
    }

    @Test("an agent with the CA pushes over HTTPS; one trusting another CA is refused and logs why")
    func agentOverHTTPS() async throws {
        let directory = try BuiltExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let authority = try await TestTLS.authority("siskin-test-ca", in: directory)
        let serving = try await TestTLS.server("siskin-serve", signedBy: authority, in: directory)
        let stranger = try await TestTLS.authority("some-other-ca", in: directory)
        try "\(Self.pushToken)\n".write(toFile: directory + "/push-tokens", atomically: true, encoding: .utf8)
        try "\(Self.readToken)\n".write(toFile: directory + "/read-tokens", atomically: true, encoding: .utf8)
        try Self.pushToken.write(toFile: directory + "/agent-token", atomically: true, encoding: .utf8)

        let server = try await ServeProcess.start(dataDirectory: directory + "/data", arguments: [
            "--slot", "1s", "--log-level", "debug", "--token-file", directory + "/push-tokens",
            "--read-token-file", directory + "/read-tokens",
            "--listen-tls-cert-file", serving.certificate, "--listen-tls-key-file", serving.key,
        ])
        defer { server.stop() }
        #expect(server.log.contains("scheme=https"))
        let base = "https://localhost:\(server.port)"
        let envoy = try FakeEnvoy(preset: .small, seed: 11)
        defer { envoy.stop() }

        let agent = try startAgent(envoy: envoy, pushURL: base, caFile: authority.certificate,
                                   tokenFile: directory + "/agent-token", pod: envoy.podName, directory: directory)
        defer { agent.terminate(); agent.waitUntilExit() }
        let intruder = try startAgent(envoy: envoy, pushURL: base, caFile: stranger.certificate,
                                      tokenFile: directory + "/agent-token", pod: "intruder-pod", directory: directory)
        defer { intruder.terminate(); intruder.waitUntilExit() }

        let read = [("Authorization", "Bearer \(Self.readToken)")]
        var inventory = TestTLS.Reply(status: 0, contentType: "", body: "", curlExit: -1, stderr: "")
        let arrived = await waitUntilAsync(timeout: 60) {
            inventory = (try? await TestTLS.get(base + "/api/v1/siskin/workloads", caFile: authority.certificate,
                                                headers: read)) ?? inventory
            return inventory.status == 200 && inventory.body.contains(envoy.podName)
        }
        #expect(arrived, "the agent's pod never arrived over HTTPS: \(inventory.status) \(inventory.stderr) \(inventory.body)")
        // `siskin query` reads over HTTPS with the read token and the CA.
        let cli = try await TestHTTP.offPool {
            try BuiltExecutable.run("siskin", ["query", "workloads", "--pods", "--server", base,
                                               "--read-token-file", directory + "/read-tokens", "--ca-file", authority.certificate])
        }
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stdoutText.contains(envoy.podName))
        let refused = try await TestHTTP.offPool {
            try BuiltExecutable.run("siskin", ["query", "workloads", "--server", base, "--ca-file", authority.certificate])
        }
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("HTTP 401"), "\(refused.stderr)")
        // Traffic keeps flowing over the TLS connection.
        for _ in 0..<3 { envoy.advance(by: 1) }
        let query = base + "/api/v1/query?query=sum(istio_requests_total)"
        var answer = inventory
        let counted = await waitUntilAsync(timeout: 30) {
            answer = (try? await TestTLS.get(query, caFile: authority.certificate, headers: read)) ?? answer
            return answer.status == 200 && answer.body.contains("\"result\":[{")
        }
        #expect(counted, "\(answer.status) \(answer.body)")

        // The agent that trusts another CA refuses the server's certificate and says so.
        let intruderLog = directory + "/intruder-pod.err"
        var log = ""
        let explained = await waitUntilAsync(timeout: 30) {
            log = (try? String(contentsOfFile: intruderLog, encoding: .utf8)) ?? ""
            return log.contains("TLS certificate refused")
        }
        #expect(explained, "\(log)")
        #expect(log.contains("certificate"), "\(log)")
        #expect(log.contains("--ca-file \(stranger.certificate)"), "\(log)")
        let after = try await TestTLS.get(base + "/api/v1/siskin/workloads", caFile: authority.certificate, headers: read)
        #expect(after.status == 200)
        #expect(!after.body.contains("intruder-pod"))

        // Probes answer over HTTPS without a token; plain HTTP gets nothing.
        #expect(try await TestTLS.get(base + "/readyz", caFile: authority.certificate).status == 200)
        #expect(try await TestTLS.get(base + "/api/v1/siskin/workloads", caFile: authority.certificate).status == 401)
        let plain = try? await TestHTTP.get("http://127.0.0.1:\(server.port)/healthz")
        #expect(plain?.status != 200)
        // A client that does not trust the CA cannot even ask.
        let untrusting = try await TestTLS.get(base + "/healthz", caFile: stranger.certificate)
        #expect(untrusting.status == 0 && untrusting.curlExit != 0)

        // No token in any log.
        let agentLog = (try? String(contentsOfFile: directory + "/\(envoy.podName).err", encoding: .utf8)) ?? ""
        for text in [server.log, agentLog, log] {
            #expect(!text.contains(Self.pushToken))
            #expect(!text.contains(Self.readToken))
        }
    }
}
