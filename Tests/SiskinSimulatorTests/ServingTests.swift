import Foundation
import SiskinSimulator
import Testing

// Real loopback HTTP against MiniHTTPServer and FakeEnvoy, through a tiny blocking POSIX
// client (URLSession is not dependable on Linux and cannot test keep-alive or garbage).

@Suite("MiniHTTPServer over loopback")
struct MiniHTTPServerTests {
    /// Echoes what it parsed: `METHOD path`, the query and selected headers, then the body.
    static func echoServer(limits: MiniHTTPServer.Limits = .init()) throws -> MiniHTTPServer {
        try MiniHTTPServer(limits: limits) { request in
            var text = "\(request.method) \(request.path)\n"
            for key in request.query.keys.sorted() { text += "q \(key)=\(request.query[key]!)\n" }
            if let agent = request.headers["x-test"] { text += "h x-test=\(agent)\n" }
            text += "body \(request.body.count)\n"
            return MiniHTTPServer.Response(
                status: request.path == "/missing" ? 404 : 200, headers: [("X-Echo", "yes")],
                body: Array(text.utf8) + request.body)
        }
    }

    @Test("two requests share one keep-alive connection")
    func keepAlive() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let connection = try TestConnection(port: server.port)
        try connection.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = try #require(try connection.readResponse())
        #expect(first.status == 200)
        #expect(first.text == "GET /first\nbody 0\n")
        #expect(first.headers["x-echo"] == "yes")
        #expect(first.headers["connection"] == nil)
        try connection.send("POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        let second = try #require(try connection.readResponse())
        #expect(second.text == "POST /second\nbody 5\nhello")
        #expect(server.requestsServed == 2)
        try connection.send("GET /third HTTP/1.1\r\nConnection: close\r\n\r\n")
        let third = try #require(try connection.readResponse())
        #expect(third.headers["connection"] == "close")
        #expect(connection.readToEnd().isEmpty, "server closes after Connection: close")
    }

    @Test("pipelined requests are answered in order")
    func pipelining() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let connection = try TestConnection(port: server.port)
        try connection.send("GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.1\r\n\r\n")
        #expect(try connection.readResponse()?.text == "GET /a\nbody 0\n")
        #expect(try connection.readResponse()?.text == "POST /b\nbody 2\nhi")
        #expect(try connection.readResponse()?.text == "GET /c\nbody 0\n")
    }

    @Test("query is percent-decoded, path is not, header names are lowercased")
    func requestParsing() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let response = try TestConnection.exchange(
            port: server.port, "GET /p%41th?filter=%5Eistio_.%2A&usedonly&a=b+c HTTP/1.1\r\nX-TEST:  v1 \r\n\r\n")
        #expect(response.text == "GET /p%41th\nq a=b c\nq filter=^istio_.*\nq usedonly=\nh x-test=v1\nbody 0\n")
    }

    @Test("Expect: 100-continue gets an interim response before the body is sent")
    func expectContinue() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let connection = try TestConnection(port: server.port)
        try connection.send("POST /push HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        let interim = try #require(try connection.readResponse(skipInterim: false))
        #expect(interim.status == 100)
        try connection.send("abc")
        #expect(try connection.readResponse()?.text == "POST /push\nbody 3\nabc")
    }

    @Test("HTTP/1.0 closes after the response unless keep-alive is asked for")
    func http10() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let connection = try TestConnection(port: server.port)
        try connection.send("GET /old HTTP/1.0\r\n\r\n")
        let response = try #require(try connection.readResponse())
        #expect(response.status == 200)
        #expect(response.headers["connection"] == "close")
        #expect(connection.readToEnd().isEmpty)

        let kept = try TestConnection(port: server.port)
        try kept.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse()?.headers["connection"] == "keep-alive")
        try kept.send("GET /b HTTP/1.0\r\n\r\n")
        #expect(try kept.readResponse()?.text == "GET /b\nbody 0\n")
    }

    @Test(
        "garbage gets 400 and a closed connection; the server keeps serving",
        arguments: [
            "GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/1.1\r\nno colon here\r\n\r\n",
            "GET / HTTP/1.1\r\n bad: fold\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n", "GET relative HTTP/1.1\r\n\r\n",
            "\u{0}\u{1}\u{2}\u{FF}\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "G ET / HTTP/1.1\r\n\r\n",
        ])
    func garbage(_ input: String) throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let connection = try TestConnection(port: server.port)
        try connection.send(input)
        let response = try connection.readResponse()
        #expect(response?.status == 400)
        #expect(response?.headers["connection"] == "close")
        #expect(connection.readToEnd().isEmpty)
        #expect(try TestConnection.exchange(port: server.port, "GET /next HTTP/1.1\r\n\r\n").status == 200)
    }

    @Test("random binary junk and abrupt disconnects never take the server down")
    func binaryJunk() throws {
        let server = try Self.echoServer(limits: .init(maxHeaderBytes: 4_096))
        defer { server.stop() }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<30 {
            let connection = try TestConnection(port: server.port)
            let junk = (0..<(round * 397 % 9_000 + 1)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try? connection.send(junk)
            if round % 3 == 0 { continue }  // hang up without reading
            connection.finishSending()  // an incomplete head then ends the connection quietly
            if let response = try? connection.readResponse() {
                #expect([400, 431, 505].contains(response.status))
            }
        }
        #expect(try TestConnection.exchange(port: server.port, "GET /alive HTTP/1.1\r\n\r\n").text == "GET /alive\nbody 0\n")
    }

    @Test("an HTTP version other than 1.x gets 505")
    func unsupportedVersion() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        #expect(try TestConnection.exchange(port: server.port, "GET / HTTP/2.0\r\n\r\n").status == 505)
    }

    @Test("oversized headers get 431")
    func oversizedHeaders() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let connection = try TestConnection(port: server.port)
        let big = String(repeating: "a", count: 70_000)
        try? connection.send("GET / HTTP/1.1\r\nX-Big: \(big)\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response?.status == 431)
        #expect(response?.headers["connection"] == "close")
    }

    @Test("a head that never ends gets 431 once over the limit")
    func endlessHead() throws {
        let server = try Self.echoServer(limits: .init(maxHeaderBytes: 1_024))
        defer { server.stop() }
        let connection = try TestConnection(port: server.port)
        try? connection.send("GET / HTTP/1.1\r\n" + String(repeating: "X-A: b\r\n", count: 500))
        #expect(try connection.readResponse()?.status == 431)
    }

    @Test("bodies over the limit get 413 without being read")
    func oversizedBody() throws {
        let server = try Self.echoServer(limits: .init(maxBodyBytes: 1_000))
        defer { server.stop() }
        let connection = try TestConnection(port: server.port)
        try connection.send("POST /push HTTP/1.1\r\nContent-Length: 1001\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response?.status == 413)
        #expect(response?.headers["connection"] == "close")
        let fits = try TestConnection.exchange(
            port: server.port, "POST /push HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "z", count: 1_000))
        #expect(fits.status == 200)
        #expect(fits.body.count == "POST /push\nbody 1000\n".utf8.count + 1_000)
    }

    @Test("chunked request bodies are refused with 411")
    func chunkedBody() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let connection = try TestConnection(port: server.port)
        try connection.send("POST /push HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response?.status == 411)
        #expect(response?.headers["connection"] == "close")
        #expect(connection.readToEnd().isEmpty)
    }

    @Test("a large body arrives intact in both directions")
    func largeBodies() throws {
        let server = try MiniHTTPServer { request in MiniHTTPServer.Response(body: request.body.reversed()) }
        defer { server.stop() }
        let payload = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        let connection = try TestConnection(port: server.port)
        for _ in 0..<2 {
            try connection.send(Array("PUT /x HTTP/1.1\r\nContent-Length: \(payload.count)\r\n\r\n".utf8) + payload)
            let response = try #require(try connection.readResponse())
            #expect(response.body == payload.reversed())
        }
    }

    @Test("HEAD gets the headers and Content-Length but no body")
    func head() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let connection = try TestConnection(port: server.port)
        try connection.send("HEAD /h HTTP/1.1\r\n\r\n")
        let response = try #require(try connection.readResponse(bodyExpected: false))
        #expect(response.headers["content-length"] == String("HEAD /h\nbody 0\n".utf8.count))
        try connection.send("GET /g HTTP/1.1\r\n\r\n")
        #expect(try connection.readResponse()?.text == "GET /g\nbody 0\n", "connection still in sync")
    }

    @Test("a delayed response arrives after the delay")
    func delay() throws {
        let server = try MiniHTTPServer { _ in MiniHTTPServer.Response(status: 200, text: "late", closeConnection: false) }
        defer { server.stop() }
        let delayed = try MiniHTTPServer { _ in
            MiniHTTPServer.Response(status: 200, headers: [], body: Array("late".utf8), delaySeconds: 0.4)
        }
        defer { delayed.stop() }
        let start = Date()
        let response = try TestConnection.exchange(port: delayed.port, "GET / HTTP/1.1\r\n\r\n")
        #expect(Date().timeIntervalSince(start) >= 0.4)
        #expect(response.text == "late")
        #expect(try TestConnection.exchange(port: server.port, "GET / HTTP/1.1\r\n\r\n").text == "late")
    }

    @Test("stop() releases a connection whose response hangs, then refuses connections")
    func stopReleasesHungConnection() throws {
        let server = try MiniHTTPServer { _ in MiniHTTPServer.Response(status: 200, text: "never", closeConnection: false) }
        let hung = try MiniHTTPServer { _ in MiniHTTPServer.Response(body: [1], delaySeconds: 60) }
        defer { server.stop() }
        let idle = try TestConnection(port: hung.port)  // an idle keep-alive connection too
        let connection = try TestConnection(port: hung.port)
        try connection.send("GET / HTTP/1.1\r\n\r\n")
        let stopped = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            usleep(200_000)
            hung.stop()
            stopped.signal()
        }
        let start = Date()
        #expect(try connection.readResponse() == nil, "closed without a response")
        #expect(idle.readToEnd().isEmpty)
        stopped.wait()
        #expect(Date().timeIntervalSince(start) < 5)
        // stop() waits up to 2 s; on a loaded 2-core machine the threads may need
        // longer to be scheduled, but they must end.
        let threadsEnd = Date().addingTimeInterval(10)
        while hung.activeConnections > 0, Date() < threadsEnd { usleep(10_000) }
        #expect(hung.activeConnections == 0, "the connection threads end")
        #expect(throws: TestConnection.ConnectError.self) { try TestConnection(port: hung.port) }
        hung.stop()  // idempotent
    }

    @Test("concurrent clients are all served")
    func concurrentClients() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { client in
            do {
                let connection = try TestConnection(port: server.port)
                for request in 0..<5 {
                    try connection.send("GET /c\(client)r\(request) HTTP/1.1\r\n\r\n")
                    if try connection.readResponse()?.text != "GET /c\(client)r\(request)\nbody 0\n" { failures.add() }
                }
            } catch {
                failures.add()
            }
        }
        #expect(failures.value == 0)
        #expect(server.requestsServed == 40)
    }

    @Test("binding a port in use throws")
    func portInUse() throws {
        let server = try Self.echoServer()
        defer { server.stop() }
        #expect(throws: ServingError.self) { try MiniHTTPServer(port: server.port) { _ in .empty(204) } }
    }
}

@Suite("FakeEnvoy over loopback")
struct FakeEnvoyTests {
    @Test("GET /stats/prometheus serves render() with Envoy's content type; other paths 404")
    func servesRender() throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 11)
        defer { envoy.stop() }
        let response = try TestConnection.exchange(port: envoy.port, "GET /stats/prometheus HTTP/1.1\r\n\r\n")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(response.headers["content-encoding"] == nil)
        #expect(response.body == envoy.render())
        #expect(response.body == Fleet(preset: .small, seed: 11).focus.render())
        #expect(envoy.scrapeCount == 1)
        #expect(envoy.podName == Fleet(preset: .small, seed: 11).focus.pod.name)
        #expect(envoy.scrapeURL == "http://127.0.0.1:\(envoy.port)/stats/prometheus")

        #expect(try TestConnection.exchange(port: envoy.port, "GET /stats HTTP/1.1\r\n\r\n").status == 404)
        #expect(try TestConnection.exchange(port: envoy.port, "GET / HTTP/1.1\r\n\r\n").status == 404)
        #expect(try TestConnection.exchange(port: envoy.port, "POST /stats/prometheus HTTP/1.1\r\n\r\n").status == 405)
        #expect(envoy.scrapeCount == 1)
    }

    @Test("a 3 MB scrape twice over one keep-alive connection; advancing changes the body")
    func keepAliveScrapes() throws {
        let envoy = try FakeEnvoy(preset: .medium, seed: 5)
        defer { envoy.stop() }
        let connection = try TestConnection(port: envoy.port)
        try connection.send("GET /stats/prometheus HTTP/1.1\r\n\r\n")
        let first = try #require(try connection.readResponse())
        #expect(first.body.count > 2_000_000)
        #expect(first.body == envoy.render())
        envoy.advance(by: 15)
        try connection.send("GET /stats/prometheus HTTP/1.1\r\n\r\n")
        let second = try #require(try connection.readResponse())
        #expect(second.body != first.body)
        #expect(second.body == envoy.render())
        let uptime = ParsedExposition(second.body).samples("envoy_server_uptime").first?.integer
        #expect(uptime == 915)
        #expect(envoy.scrapeCount == 2)
    }

    @Test("filter=<regex> keeps only matching families; an invalid regex is 400")
    func filter() throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 1)
        defer { envoy.stop() }
        let full = ParsedExposition(envoy.render())
        let response = try TestConnection.exchange(
            port: envoy.port, "GET /stats/prometheus?filter=%5Eistio_%7Cenvoy_server_uptime HTTP/1.1\r\n\r\n")
        #expect(response.status == 200)
        let kept = ParsedExposition(response.body)
        let expected = full.families.filter { $0.name.hasPrefix("istio_") || $0.name.contains("envoy_server_uptime") }
        #expect(kept.families.map(\.name) == expected.map(\.name))
        #expect(kept.families.count >= 3)
        // Byte-exact: the kept families are copied verbatim.
        let fullText = String(decoding: envoy.render(), as: UTF8.self)
        for block in String(decoding: response.body, as: UTF8.self).split(separator: "\n\n") {
            #expect(fullText.contains(block))
        }

        let none = try TestConnection.exchange(port: envoy.port, "GET /stats/prometheus?filter=no_such_family HTTP/1.1\r\n\r\n")
        #expect(none.status == 200)
        #expect(none.body.isEmpty)

        let invalid = try TestConnection.exchange(port: envoy.port, "GET /stats/prometheus?filter=(unclosed HTTP/1.1\r\n\r\n")
        #expect(invalid.status == 400)
    }

    @Test("usedonly drops counters that read 0 and keeps everything else")
    func usedOnly() throws {
        let envoy = try FakeEnvoy(preset: .medium, seed: 2)
        defer { envoy.stop() }
        let full = ParsedExposition(envoy.render())
        let response = try TestConnection.exchange(port: envoy.port, "GET /stats/prometheus?usedonly HTTP/1.1\r\n\r\n")
        #expect(response.status == 200)
        let used = ParsedExposition(response.body)
        let expected = full.families.compactMap { family -> ParsedExposition.Family? in
            guard family.type == "counter" else { return family }
            var kept = family
            kept.samples.removeAll { $0.value == "0" }
            return kept.samples.isEmpty ? nil : kept
        }
        #expect(used.families.map(\.name) == expected.map(\.name))
        #expect(used.families.map(\.samples) == expected.map(\.samples))
        #expect(used.families.count < full.families.count)
        #expect(used.family("istio_requests_total")?.samples == full.family("istio_requests_total")?.samples)

        let both = try TestConnection.exchange(
            port: envoy.port, "GET /stats/prometheus?usedonly=&filter=envoy_cluster_upstream_rq_timeout HTTP/1.1\r\n\r\n")
        #expect(ParsedExposition(both.body).families.allSatisfy { $0.name.contains("upstream_rq_timeout") })
    }

    @Test("gzip goes through the caller's encoder when the client accepts it")
    func gzip() throws {
        // The simulator links no zlib: any reversible encoding proves the plumbing.
        let envoy = try FakeEnvoy(preset: .small, seed: 3, gzip: { [0x1F, 0x8B] + $0.reversed() })
        defer { envoy.stop() }
        let connection = try TestConnection(port: envoy.port)
        try connection.send("GET /stats/prometheus HTTP/1.1\r\nAccept-Encoding: deflate, gzip\r\n\r\n")
        let compressed = try #require(try connection.readResponse())
        #expect(compressed.headers["content-encoding"] == "gzip")
        #expect(compressed.body == [0x1F, 0x8B] + envoy.render().reversed())
        try connection.send("GET /stats/prometheus HTTP/1.1\r\nAccept-Encoding: gzip\r\n\r\n")
        #expect(try connection.readResponse()?.body == compressed.body, "cached")
        try connection.send("GET /stats/prometheus?filter=uptime HTTP/1.1\r\nAccept-Encoding: gzip\r\n\r\n")
        let filtered = try #require(try connection.readResponse())
        #expect(Array(filtered.body.dropFirst(2).reversed()).starts(with: Array("# TYPE envoy_server_uptime".utf8)))
        try connection.send("GET /stats/prometheus HTTP/1.1\r\n\r\n")
        let plain = try #require(try connection.readResponse())
        #expect(plain.headers["content-encoding"] == nil)
        #expect(plain.body == envoy.render())

        let noEncoder = try FakeEnvoy(preset: .small, seed: 3)
        defer { noEncoder.stop() }
        let identity = try TestConnection.exchange(
            port: noEncoder.port, "GET /stats/prometheus HTTP/1.1\r\nAccept-Encoding: gzip\r\n\r\n")
        #expect(identity.headers["content-encoding"] == nil)
        #expect(identity.body == noEncoder.render())
    }

    @Test("setDown(true) refuses connections; setDown(false) serves again on the same port")
    func downAndUp() throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 4)
        defer { envoy.stop() }
        let port = envoy.port
        let kept = try TestConnection(port: port)
        #expect(!envoy.isDown)
        try envoy.setDown(true)
        #expect(envoy.isDown)
        #expect(kept.readToEnd().isEmpty, "open connections are closed too")
        let refused = #expect(throws: TestConnection.ConnectError.self) { try TestConnection(port: port) }
        #expect(refused?.code == ECONNREFUSED)
        try envoy.setDown(true)  // idempotent
        try envoy.setDown(false)
        #expect(!envoy.isDown)
        #expect(envoy.port == port)
        let response = try TestConnection.exchange(port: port, "GET /stats/prometheus HTTP/1.1\r\n\r\n")
        #expect(response.status == 200)
        #expect(response.body == envoy.render())
    }

    @Test("restart drops the scraped values; the ground truth keeps counting")
    func restart() throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 6)
        defer { envoy.stop() }
        let before = ParsedExposition(try TestConnection.exchange(port: envoy.port, "GET /stats/prometheus HTTP/1.1\r\n\r\n").body)
        let scrapedBefore = before.samples("istio_requests_total").reduce(0) { $0 + $1.integer }
        #expect(scrapedBefore == envoy.requests())
        #expect(scrapedBefore > 0)

        envoy.restart()
        envoy.advance(by: 15)
        let after = ParsedExposition(try TestConnection.exchange(port: envoy.port, "GET /stats/prometheus HTTP/1.1\r\n\r\n").body)
        let scrapedAfter = after.samples("istio_requests_total").reduce(0) { $0 + $1.integer }
        #expect(scrapedAfter < scrapedBefore)
        #expect(after.samples("envoy_server_uptime").first?.integer == 15)
        #expect(scrapedAfter == envoy.requests(scope: .sinceRestart))
        #expect(envoy.requests() == scrapedBefore + scrapedAfter)
        #expect(envoy.histogram().count == envoy.requests(), "small preset: every request has a duration")
        #expect(envoy.requests(matching: ["reporter": "destination"]) == envoy.requests())
    }

    @Test("hangSeconds delays scrapes; stop() ends a hung scrape")
    func hang() throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 7)
        envoy.hangSeconds = 0.3
        let start = Date()
        let response = try TestConnection.exchange(port: envoy.port, "GET /stats/prometheus HTTP/1.1\r\n\r\n")
        #expect(response.status == 200)
        #expect(Date().timeIntervalSince(start) >= 0.3)

        envoy.hangSeconds = 120
        let connection = try TestConnection(port: envoy.port)
        try connection.send("GET /stats/prometheus HTTP/1.1\r\n\r\n")
        Thread.detachNewThread {
            usleep(200_000)
            envoy.stop()
        }
        let hungStart = Date()
        #expect(try connection.readResponse() == nil)
        #expect(Date().timeIntervalSince(hungStart) < 5)
        #expect(envoy.isDown)
    }

    @Test("startClock advances simulated time in real time")
    func clock() throws {
        let envoy = try FakeEnvoy(preset: .small, seed: 8)
        defer { envoy.stop() }
        try envoy.startClock(tick: 0.1)
        let deadline = Date().addingTimeInterval(5)
        var uptime: UInt64 = 900
        while uptime < 901 && Date() < deadline {
            usleep(50_000)
            let body = try TestConnection.exchange(port: envoy.port, "GET /stats/prometheus HTTP/1.1\r\n\r\n").body
            uptime = ParsedExposition(body).samples("envoy_server_uptime").first?.integer ?? 0
        }
        #expect(uptime >= 901, "the served body follows the clock")
        envoy.stopClock()
        let stopped = envoy.fleet.clock
        usleep(150_000)
        #expect(envoy.fleet.clock == stopped)
    }
}

// MARK: - A tiny blocking HTTP/1.1 client

/// Thread-safe counter for concurrent test clients.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

struct TestResponse: Equatable {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// One client connection to 127.0.0.1 with POSIX sockets and a receive timeout.
final class TestConnection {
    struct ConnectError: Error { var code: Int32 }
    struct ProtocolError: Error { var message: String }

    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16, timeoutSeconds: Int = 10) throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ConnectError(code: errno) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw ConnectError(code: code)
        }
    }

    deinit { close(fd) }

    /// Sends one request with `Connection: close` semantics left to the caller and reads
    /// one response.
    static func exchange(port: UInt16, _ request: String) throws -> TestResponse {
        let connection = try TestConnection(port: port)
        try connection.send(request)
        guard let response = try connection.readResponse() else { throw ProtocolError(message: "no response") }
        return response
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    #if canImport(Glibc)
    private static let noSignal = Int32(MSG_NOSIGNAL)
    #else
    private static let noSignal: Int32 = 0
    #endif

    /// Half-closes: the server reads end of stream.
    func finishSending() {
        shutdown(fd, Int32(SHUT_WR))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                Foundation.send(fd, raw.baseAddress! + offset, raw.count - offset, Self.noSignal)
            }
            guard sent > 0 else { throw ProtocolError(message: "send failed (errno \(errno))") }
            offset += sent
        }
    }

    /// Reads one response framed by Content-Length; nil if the server closed the
    /// connection before sending anything. Interim 1xx responses are skipped unless asked.
    func readResponse(skipInterim: Bool = true, bodyExpected: Bool = true) throws -> TestResponse? {
        while true {
            guard let headEnd = try fill(until: { $0.firstRange(of: [13, 10, 13, 10])?.lowerBound }) else {
                if buffer.isEmpty { return nil }
                throw ProtocolError(message: "truncated head")
            }
            let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
            buffer.removeSubrange(..<(headEnd + 4))
            var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
                throw ProtocolError(message: "bad status line: \(head)")
            }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { throw ProtocolError(message: "bad header \(line)") }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            if status < 200 {
                if skipInterim { continue }
                return TestResponse(status: status, headers: headers, body: [])
            }
            guard let lengthText = headers["content-length"], let length = Int(lengthText) else {
                throw ProtocolError(message: "response without Content-Length")
            }
            let bodyLength = bodyExpected ? length : 0
            guard try fill(until: { $0.count >= bodyLength ? bodyLength : nil }) != nil else {
                throw ProtocolError(message: "truncated body")
            }
            let body = Array(buffer[..<bodyLength])
            buffer.removeSubrange(..<bodyLength)
            return TestResponse(status: status, headers: headers, body: body)
        }
    }

    /// Everything until the server closes (or the timeout).
    func readToEnd() -> [UInt8] {
        _ = try? fill(until: { _ in nil })
        defer { buffer.removeAll() }
        return buffer
    }

    /// Receives until `done` returns a value; nil at end of stream.
    private func fill(until done: ([UInt8]) -> Int?) throws -> Int? {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let found = done(buffer) { return found }
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if received < 0 && errno == EINTR { continue }
            if received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw ProtocolError(message: "timed out")
            }
            guard received > 0 else { return nil }  // end of stream or reset
            buffer.append(contentsOf: chunk[..<received])
        }
    }
}
