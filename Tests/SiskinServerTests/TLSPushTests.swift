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

    /// A throw-away CA, a serving certificate it signed, another CA, and the
    /// token files, in one directory.
    struct Material {
        var directory: String
        var authority: TestTLS.Pair
        var serving: TestTLS.Pair
        var stranger: TestTLS.Pair
        var pushTokens: String { directory + "/push-tokens" }
        var readTokens: String { directory + "/read-tokens" }
        var agentToken: String { directory + "/agent-token" }
    }

    func material() async throws -> Material {
        let directory = try BuiltExecutable.temporaryDirectory()
        let authority = try await TestTLS.authority("siskin-test-ca", in: directory)
        let material = Material(
            directory: directory, authority: authority,
            serving: try await TestTLS.server("siskin-serve", signedBy: authority, in: directory),
            stranger: try await TestTLS.authority("some-other-ca", in: directory))
        try "\(Self.pushToken)\n".write(toFile: material.pushTokens, atomically: true, encoding: .utf8)
        try "\(Self.readToken)\n".write(toFile: material.readTokens, atomically: true, encoding: .utf8)
        try Self.pushToken.write(toFile: material.agentToken, atomically: true, encoding: .utf8)
        return material
    }

    /// GETs `url` over HTTPS, trusting the test CA, with the read token,
    /// until `done` holds or `timeout` passes; the last reply.
    func poll(_ url: String, _ material: Material, timeout: Double = 60,
              until done: @escaping (TestTLS.Reply) -> Bool) async -> TestTLS.Reply {
        var reply = TestTLS.Reply(status: 0, contentType: "", body: "", curlExit: -1, stderr: "")
        _ = await waitUntilAsync(timeout: timeout) {
            reply = (try? await TestTLS.get(url, caFile: material.authority.certificate,
                                            headers: [("Authorization", "Bearer \(Self.readToken)")])) ?? reply
            return done(reply)
        }
        return reply
    }

    func startAgent(envoy: FakeEnvoy, pushURL: String, caFile: String, material: Material, pod: String) throws -> Process {
        try BuiltExecutable.start("siskin-agent", [
            "run", "--scrape-url", envoy.scrapeURL, "--push-url", pushURL, "--ca-file", caFile, "--token-file", material.agentToken,
            "--interval", "200ms", "--timeout", "2s", "--pod", pod, "--namespace", "test",
            "--status-file", material.directory + "/\(pod).status",
        ], stdout: material.directory + "/\(pod).out", stderr: material.directory + "/\(pod).err")
    }

    @Test("an agent with the CA pushes over HTTPS; one trusting another CA is refused and logs why")
    func agentOverHTTPS() async throws {
        let material = try await material()
        let directory = material.directory
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try await ServeProcess.start(dataDirectory: directory + "/data", arguments: [
            "--slot", "1s", "--log-level", "debug", "--token-file", material.pushTokens, "--read-token-file", material.readTokens,
            "--listen-tls-cert-file", material.serving.certificate, "--listen-tls-key-file", material.serving.key,
        ])
        defer { server.stop() }
        #expect(server.log.contains("scheme=https"))
        let base = "https://localhost:\(server.port)"
        let envoy = try FakeEnvoy(preset: .small, seed: 11)
        defer { envoy.stop() }

        let agent = try startAgent(envoy: envoy, pushURL: base, caFile: material.authority.certificate, material: material,
                                   pod: envoy.podName)
        defer { agent.terminate(); agent.waitUntilExit() }
        let intruder = try startAgent(envoy: envoy, pushURL: base, caFile: material.stranger.certificate, material: material,
                                      pod: "intruder-pod")
        defer { intruder.terminate(); intruder.waitUntilExit() }

        let inventory = await poll(base + "/api/v1/siskin/workloads", material) { $0.status == 200 && $0.body.contains(envoy.podName) }
        #expect(inventory.body.contains(envoy.podName),
                "the agent's pod never arrived over HTTPS: \(inventory.status) \(inventory.stderr) \(inventory.body)")
        // `siskin query` reads over HTTPS with the read token and the CA.
        let cli = try await TestHTTP.offPool {
            try BuiltExecutable.run("siskin", ["query", "workloads", "--pods", "--server", base,
                                               "--read-token-file", material.readTokens, "--ca-file", material.authority.certificate])
        }
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stdoutText.contains(envoy.podName))
        let refused = try await TestHTTP.offPool {
            try BuiltExecutable.run("siskin", ["query", "workloads", "--server", base, "--ca-file", material.authority.certificate])
        }
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("HTTP 401"), "\(refused.stderr)")
        // Traffic keeps flowing over the TLS connection.
        for _ in 0..<3 { envoy.advance(by: 1) }
        let answer = await poll(base + "/api/v1/query?query=sum(istio_requests_total)", material, timeout: 30) {
            $0.status == 200 && $0.body.contains("\"result\":[{")
        }
        #expect(answer.body.contains("\"result\":[{"), "\(answer.status) \(answer.body)")

        // The agent that trusts another CA refuses the server's certificate and says so.
        let intruderLog = directory + "/intruder-pod.err"
        var log = ""
        let explained = await waitUntilAsync(timeout: 30) {
            log = (try? String(contentsOfFile: intruderLog, encoding: .utf8)) ?? ""
            return log.contains("TLS certificate refused")
        }
        #expect(explained, "\(log)")
        #expect(log.contains("certificate"), "\(log)")
        #expect(log.contains("--ca-file \(material.stranger.certificate)"), "\(log)")
        let after = try await TestTLS.get(base + "/api/v1/siskin/workloads", caFile: material.authority.certificate,
                                          headers: [("Authorization", "Bearer \(Self.readToken)")])
        #expect(after.status == 200)
        #expect(!after.body.contains("intruder-pod"))

        // Probes answer over HTTPS without a token; plain HTTP gets nothing.
        #expect(try await TestTLS.get(base + "/readyz", caFile: material.authority.certificate).status == 200)
        #expect(try await TestTLS.get(base + "/api/v1/siskin/workloads", caFile: material.authority.certificate).status == 401)
        let plain = try? await TestHTTP.get("http://127.0.0.1:\(server.port)/healthz")
        #expect(plain?.status != 200)
        // A client that does not trust the CA cannot even ask.
        let untrusting = try await TestTLS.get(base + "/healthz", caFile: material.stranger.certificate)
        #expect(untrusting.status == 0 && untrusting.curlExit != 0)

        // No token in any log.
        let agentLog = (try? String(contentsOfFile: directory + "/\(envoy.podName).err", encoding: .utf8)) ?? ""
        for text in [server.log, agentLog, log] {
            #expect(!text.contains(Self.pushToken))
            #expect(!text.contains(Self.readToken))
        }
    }

    @Test("the environment alone sets the token files, the serving certificate and the agent's CA")
    func environment() async throws {
        let material = try await material()
        defer { try? FileManager.default.removeItem(atPath: material.directory) }
        let server = try await ServeProcess.start(dataDirectory: material.directory + "/data", arguments: ["--slot", "1s"], environment: [
            "SISKIN_TOKEN_FILE": material.pushTokens, "SISKIN_READ_TOKEN_FILE": material.readTokens,
            "SISKIN_LISTEN_TLS_CERT_FILE": material.serving.certificate, "SISKIN_LISTEN_TLS_KEY_FILE": material.serving.key,
        ])
        defer { server.stop() }
        let base = "https://localhost:\(server.port)"
        let envoy = try FakeEnvoy(preset: .small, seed: 12)
        defer { envoy.stop() }
        let agent = try BuiltExecutable.start(
            "siskin-agent", ["run", "--interval", "200ms", "--timeout", "2s", "--status-file", material.directory + "/env.status"],
            stdout: material.directory + "/env.out", stderr: material.directory + "/env.err", environment: [
                "SISKIN_SCRAPE_URL": envoy.scrapeURL, "SISKIN_PUSH_URL": base, "SISKIN_CA_FILE": material.authority.certificate,
                "SISKIN_TOKEN_FILE": material.agentToken, "SISKIN_POD": "env-pod", "SISKIN_NAMESPACE": "test",
            ])
        defer { agent.terminate(); agent.waitUntilExit() }
        let inventory = await poll(base + "/api/v1/siskin/workloads", material) { $0.status == 200 && $0.body.contains("env-pod") }
        #expect(inventory.body.contains("env-pod"), "\(inventory.status) \(inventory.stderr) \(server.log)")
        #expect(try await TestTLS.get(base + "/api/v1/siskin/workloads", caFile: material.authority.certificate).status == 401)
    }
}
