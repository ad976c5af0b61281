import Foundation
import SiskinSync
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy on an ephemeral loopback port between agents and an
/// aggregator that can be switched to a **blackhole**: it still accepts
/// connections and reads what is sent, but never answers, as a stuck load
/// balancer or a half-dead node does. Connections that were forwarding when
/// the blackhole started stall too. Switched back to forwarding, new
/// connections reach the upstream again.
///
/// Every accepted connection is recorded (when it opened, when the client
/// gave up on it), so tests can see timeouts and backoff from outside.
final class StallingProxy: Sendable {
    enum Mode: Sendable { case forward, blackhole }

    struct Connection: Sendable {
        var opened: ContinuousClock.Instant
        var closed: ContinuousClock.Instant?
        /// Accepted while the proxy was a blackhole.
        var stalled: Bool
    }

    struct Failure: Error { var what: String }

    let port: Int
    let upstreamPort: Int
    private let listener: Int32
    private let state = Mutex(State())

    private struct State: Sendable {
        var mode: Mode = .forward
        var connections: [Connection] = []
        var sockets: Set<Int32> = []
        var stopped = false
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(what: "socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw Failure(what: "bind/listen")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    deinit { stop() }

    var mode: Mode {
        get { state.locked { $0.mode } }
        set { state.locked { $0.mode = newValue } }
    }

    var connections: [Connection] { state.locked { $0.connections } }

    /// Closes the listener and every connection. Idempotent.
    func stop() {
        let sockets = state.locked { state -> Set<Int32>? in
            guard !state.stopped else { return nil }
            state.stopped = true
            return state.sockets
        }
        guard let sockets else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    // MARK: Plumbing (one thread per direction per connection: tests have few)

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            let (index, mode) = state.locked { state -> (Int, Mode?) in
                guard !state.stopped else { return (-1, nil) }
                state.sockets.insert(client)
                state.connections.append(Connection(opened: .now, closed: nil, stalled: state.mode == .blackhole))
                return (state.connections.count - 1, state.mode)
            }
            guard let mode else {
                close(client)
                return
            }
            Thread { [self] in serve(client, index: index, mode: mode) }.start()
        }
    }

    private func serve(_ client: Int32, index: Int, mode: Mode) {
        let upstream: Int32 = mode == .forward ? connectUpstream() : -1
        if mode == .forward {
            if upstream < 0 {
                // Upstream down: refuse, as a proxy in front of a dead node does.
                state.locked { state in
                    state.connections[index].closed = .now
                    state.sockets.remove(client)
                }
                close(client)
                return
            }
        }
        if upstream >= 0 {
            state.locked { _ = $0.sockets.insert(upstream) }
            let back = Thread { [self] in
                pump(from: upstream, to: client, connection: index)
                shutdown(client, Int32(SHUT_WR))
            }
            back.start()
        }
        // Client to upstream; in a blackhole (from the start, or switched to
        // later) what the client sends is read and dropped, and nothing is
        // ever answered, until the client gives up.
        pump(from: client, to: upstream, connection: index)
        state.locked { state in
            state.connections[index].closed = .now
            state.sockets.remove(client)
            if upstream >= 0 { state.sockets.remove(upstream) }
        }
        if upstream >= 0 {
            shutdown(upstream, Int32(SHUT_RDWR))
            // Give the other direction a moment to see the shutdown before closing.
            usleep(10_000)
            close(upstream)
        }
        close(client)
    }

    /// Copies bytes until `from` closes. While the proxy is a blackhole the
    /// bytes are dropped, and a connection once stalled stays stalled.
    private func pump(from: Int32, to: Int32, connection: Int) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var stalled = to < 0
        while true {
            let n = recv(from, &buffer, buffer.count, 0)
            if n <= 0 { return }
            if !stalled, mode == .blackhole { stalled = true }
            if stalled { continue }
            var sent = 0
            while sent < n {
                let m = buffer.withUnsafeBytes { send(to, $0.baseAddress! + sent, n - sent, Int32(MSG_NOSIGNAL)) }
                if m <= 0 { return }
                sent += m
            }
        }
    }

    private func connectUpstream() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            close(fd)
            return -1
        }
        return fd
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
