import Foundation
import SiskinTesting
import SiskinWire
import Testing

/// `siskin serve` re-reads its token files when they change (a rotated
/// Secret), keeps the old tokens when a new file is invalid, and refuses at
/// start a token file that shares a token with the other or scopes a read
/// token.
@Suite("siskin serve: token files", .serialized)
struct TokenFileReloadTests {
    func status(_ url: String, token: String) async throws -> Int {
        try await TestHTTP.send(.init(method: .get, url: url, headers: [("Authorization", "Bearer \(token)")])).status
    }

    @Test("a rotated read token file takes effect without a restart; an invalid one leaves the old tokens")
    func rotation() async throws {
        let directory = try BuiltExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let readFile = directory + "/read-tokens", pushFile = directory + "/push-tokens"
        try "push-one\n".write(toFile: pushFile, atomically: true, encoding: .utf8)
        try "read-one\n".write(toFile: readFile, atomically: true, encoding: .utf8)
        let server = try await ServeProcess.start(dataDirectory: directory + "/data",
                                      arguments: ["--token-file", pushFile, "--read-token-file", readFile])
        defer { server.stop() }
        let url = server.baseURL + "/api/v1/siskin/workloads"
        #expect(try await status(url, token: "read-one") == 200)
        #expect(try await status(url, token: "read-two") == 401)

        try "read-two\n".write(toFile: readFile, atomically: true, encoding: .utf8)
        #expect(await waitUntilAsync(timeout: 30) { (try? await status(url, token: "read-two")) == 200 })
        #expect(try await status(url, token: "read-one") == 401)

        // A push token in the read file: refused, the previous tokens stay.
        try "read-three\npush-one\n".write(toFile: readFile, atomically: true, encoding: .utf8)
        #expect(await waitUntilAsync(timeout: 30) { server.log.contains("cannot reload the token files") })
        #expect(try await status(url, token: "read-two") == 200)
        #expect(try await status(url, token: "read-three") == 401)
        #expect(server.log.contains("hold the same token"))
        for token in ["push-one", "read-one", "read-two", "read-three"] { #expect(!server.log.contains(token)) }
    }

    @Test("at start: a token shared by both files, or a namespace scope on a read token, is refused with the line",
          arguments: [
              ("alpha\nshared\n", "beta\nshared\n", "line 2 of --token-file"),
              ("alpha\n", "beta namespaces=team-a\n", "namespaces= is not supported on read tokens"),
              ("alpha namespaces=Team\n", "beta\n", "line 1: 'Team' is not a Kubernetes namespace name"),
              ("# only a comment\n", "beta\n", "holds no token"),
          ])
    func refusedAtStart(push: String, read: String, message: String) async throws {
        let directory = try BuiltExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try push.write(toFile: directory + "/push", atomically: true, encoding: .utf8)
        try read.write(toFile: directory + "/read", atomically: true, encoding: .utf8)
        let output = try await TestHTTP.offPool {
            try BuiltExecutable.run("siskin", ["serve", "--in-memory", "--listen", "127.0.0.1:0",
                                               "--token-file", directory + "/push", "--read-token-file", directory + "/read"])
        }
        #expect(output.status != 0)
        #expect(output.stderr.contains(message), "\(output.stderr)")
        for token in ["alpha", "beta", "shared"] { #expect(!output.stderr.contains(token)) }
    }
}
