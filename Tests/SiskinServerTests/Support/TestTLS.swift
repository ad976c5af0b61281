import Foundation
import SiskinTesting

/// Certificates from the `openssl` CLI and HTTPS requests with the `curl`
/// CLI, both as child processes run off the cooperative pool: what a test
/// needs to talk to the metrics APIs as the aggregation layer does, trusting
/// only the CA it was given.
enum TestTLS {
    struct Pair: Sendable {
        var certificate: String
        var key: String
    }

    /// A self-signed P-256 certificate for `localhost` and 127.0.0.1 with
    /// common name `name`, written to `<directory>/<name>.crt` and `.key`.
    static func selfSigned(_ name: String, in directory: String) async throws -> Pair {
        let pair = Pair(certificate: "\(directory)/\(name).crt", key: "\(directory)/\(name).key")
        let output = try await run("/usr/bin/env", [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", pair.key, "-out", pair.certificate, "-days", "2", "-subj", "/CN=\(name)",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        guard output.status == 0 else { throw Failed(description: "openssl: \(output.stderr)") }
        return pair
    }

    /// A CA certificate and key (P-256), as the API server's front-proxy CA.
    static func authority(_ name: String, in directory: String) async throws -> Pair {
        let pair = Pair(certificate: "\(directory)/\(name).crt", key: "\(directory)/\(name).key")
        let output = try await run("/usr/bin/env", [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", pair.key, "-out", pair.certificate, "-days", "2", "-subj", "/CN=\(name)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        guard output.status == 0 else { throw Failed(description: "openssl: \(output.stderr)") }
        return pair
    }

    /// A client certificate with common name `name` signed by `authority`,
    /// as the API server's `--proxy-client-cert-file`.
    static func client(_ name: String, signedBy authority: Pair, in directory: String) async throws -> Pair {
        try await signed(name, by: authority, subject: "/O=system:masters/CN=\(name)",
                         extensions: "extendedKeyUsage=clientAuth\n", in: directory)
    }

    /// A serving certificate for `localhost` and 127.0.0.1 signed by
    /// `authority`, as cert-manager issues from a cluster CA.
    static func server(_ name: String, signedBy authority: Pair, in directory: String) async throws -> Pair {
        try await signed(name, by: authority, subject: "/CN=\(name)",
                         extensions: "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
                         in: directory)
    }

    /// A P-256 key and a certificate for it signed by `authority`.
    private static func signed(_ name: String, by authority: Pair, subject: String, extensions: String,
                               in directory: String) async throws -> Pair {
        let pair = Pair(certificate: "\(directory)/\(name).crt", key: "\(directory)/\(name).key")
        let request = "\(directory)/\(name).csr", extensionsFile = "\(directory)/\(name).ext"
        try Data(extensions.utf8).write(to: URL(fileURLWithPath: extensionsFile))
        for arguments in [
            ["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", pair.key, "-out", request, "-subj", subject],
            ["openssl", "x509", "-req", "-in", request, "-CA", authority.certificate, "-CAkey", authority.key,
             "-CAcreateserial", "-out", pair.certificate, "-days", "2", "-extfile", extensionsFile],
        ] {
            let output = try await run("/usr/bin/env", arguments)
            guard output.status == 0 else { throw Failed(description: "openssl: \(output.stderr)") }
        }
        return pair
    }

    struct Reply: Sendable {
        /// HTTP status; 0 when no response came (curl's exit code in `curlExit`).
        var status: Int
        var contentType: String
        var body: String
        var curlExit: Int32
        var stderr: String

        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                throw Failed(description: "not a JSON object: \(body)")
            }
            return object
        }
    }

    /// GET `url` over HTTPS, verifying the server against `caFile` only.
    static func get(_ url: String, caFile: String, headers: [(String, String)] = [], clientCertificate: Pair? = nil) async throws -> Reply {
        var arguments = ["curl", "-sS", "--max-time", "10", "--cacert", caFile, "-w", "\n%{http_code} %{content_type}"]
        if let clientCertificate { arguments += ["--cert", clientCertificate.certificate, "--key", clientCertificate.key] }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        arguments.append(url)
        let output = try await run("/usr/bin/env", arguments)
        var lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let trailer = lines.popLast().map(String.init) ?? ""
        let parts = trailer.split(separator: " ", maxSplits: 1)
        return Reply(status: parts.first.flatMap { Int($0) } ?? 0, contentType: parts.count > 1 ? String(parts[1]) : "",
                     body: lines.joined(separator: "\n"), curlExit: output.status, stderr: output.stderr)
    }

    struct Output: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ executable: String, _ arguments: [String]) async throws -> Output {
        try await TestHTTP.offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                          stderr: String(decoding: stderr, as: UTF8.self))
        }
    }
}
