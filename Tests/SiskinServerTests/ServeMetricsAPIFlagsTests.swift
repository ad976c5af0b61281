import Foundation
import SiskinTesting
import Testing

/// `siskin serve`'s metrics API flags, on the real binary.
@Suite("siskin serve: metrics API flags", .serialized)
struct ServeMetricsAPIFlagsTests {
    @Test("a certificate without a key, or a key without a certificate, is refused at start")
    func halfAPair() async throws {
        for flags in [["--tls-cert-file", "/nonexistent.crt"], ["--tls-key-file", "/nonexistent.key"]] {
            let output = try await TestHTTP.offPool {
                try BuiltExecutable.run("siskin", ["serve", "--in-memory", "--listen", "127.0.0.1:0"] + flags)
            }
            #expect(output.status != 0)
            #expect(output.stderr.contains("needs --tls-"), "\(output.stderr)")
        }
    }

    @Test("without certificate files the metrics APIs are off, with a notice")
    func offWithoutCertificates() async throws {
        let directory = try BuiltExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try await ServeProcess.start(dataDirectory: directory + "/data")
        defer { server.stop() }
        #expect(server.log.contains("the Kubernetes metrics APIs (HPA) are off"))
        #expect(ServeProcess.metricsAPIPort(in: server.log) == nil)
    }

    @Test("the environment variables set the address, the certificate and the catalogue")
    func environment() async throws {
        let directory = try BuiltExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pair = try await TestTLS.selfSigned("siskin-env", in: directory)
        try """
            metrics:
              - name: from_the_environment
                query: sum by ($by) (rate(istio_requests_total{$matchers}[$window]))
                resources: [pods]
            """.write(toFile: directory + "/catalogue.yaml", atomically: true, encoding: .utf8)
        // Only the child gets them: tests run in parallel in this process.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltExecutable.productsDirectory + "/siskin")
        process.arguments = ["serve", "--in-memory", "--listen", "127.0.0.1:0"]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "SISKIN_TLS_CERT_FILE": pair.certificate, "SISKIN_TLS_KEY_FILE": pair.key,
            "SISKIN_METRICS_CATALOGUE": directory + "/catalogue.yaml", "SISKIN_METRICS_API_LISTEN": "127.0.0.1:0",
        ]) { _, new in new }
        let log = directory + "/serve.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        var port: Int? = nil
        _ = await waitUntilAsync(timeout: 30) {
            port = ServeProcess.metricsAPIPort(in: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
            return port != nil
        }
        let metricsPort = try #require(port, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let resources = try await TestTLS.get("https://localhost:\(metricsPort)/apis/custom.metrics.k8s.io/v1beta2",
                                              caFile: pair.certificate)
        #expect(resources.status == 200)
        let names = (try resources.json()["resources"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["pods/from_the_environment"])
    }
}
