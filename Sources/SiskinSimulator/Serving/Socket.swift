#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the POSIX socket calls the simulator's server (and the
/// load tool's client, `connect`) need. Every call retries on `EINTR`; sends
/// never raise SIGPIPE.
public enum Socket {
    #if canImport(Darwin)
    static let streamType = SOCK_STREAM
    #else
    static let streamType = Int32(SOCK_STREAM.rawValue)
    #endif

    /// A listening socket on 127.0.0.1:`port` (0 = ephemeral) with `SO_REUSEADDR`, and
    /// the port actually bound.
    static func listen(port: UInt16, backlog: Int32 = 128) throws(ServingError) -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, streamType, 0)
        guard fd >= 0 else { throw ServingError("socket", code: errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        setNoSigPipe(fd)

        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw ServingError("bind 127.0.0.1:\(port)", code: code)
        }
        guard systemListen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw ServingError("listen", code: code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let code = errno
            close(fd)
            throw ServingError("getsockname", code: code)
        }
        return (fd, UInt16(bigEndian: actual.sin_port))
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        #if canImport(Darwin)
        address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// A TCP connection to `host:port` (IPv4, resolved with `getaddrinfo`),
    /// blocking until it is established or refused.
    public static func connect(host: String, port: UInt16) throws(ServingError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = streamType
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else { throw ServingError("resolve \(host)", code: status == EAI_SYSTEM ? errno : -1) }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw ServingError("socket", code: errno) }
        guard systemConnect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let code = errno
            close(fd)
            throw ServingError("connect \(host):\(port)", code: code)
        }
        return fd
    }

    /// Accepts one connection; nil with `errno` set on failure.
    static func accept(_ fd: Int32) -> Int32? {
        while true {
            let client = systemAccept(fd)
            if client >= 0 { return client }
            if errno == EINTR { continue }
            return nil
        }
    }

    /// Per-connection options: no Nagle delay (head and body go out as separate sends),
    /// an idle receive timeout, a send timeout against clients that stop reading.
    public static func configureConnection(_ fd: Int32, idleTimeoutSeconds: Double, sendTimeoutSeconds: Double) {
        var yes: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        setNoSigPipe(fd)
        setTimeout(fd, SO_RCVTIMEO, idleTimeoutSeconds)
        setTimeout(fd, SO_SNDTIMEO, sendTimeoutSeconds)
    }

    private static func setTimeout(_ fd: Int32, _ option: Int32, _ seconds: Double) {
        guard seconds > 0, seconds.isFinite else { return }
        var value = timeval()
        value.tv_sec = .init(seconds.rounded(.down))
        value.tv_usec = .init((seconds - seconds.rounded(.down)) * 1_000_000)
        setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func setNoSigPipe(_ fd: Int32) {
        #if canImport(Darwin)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &yes, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    /// Reads up to `count` bytes into `buffer` at its end. Returns the number read, 0 at
    /// end of stream, nil on error (including the idle timeout).
    ///
    /// Receives into scratch memory and appends only what arrived, as one contiguous
    /// copy. Growing `buffer` by `count` zeros first went through the standard
    /// library's generic per-element code, which under ThreadSanitizer takes a
    /// process-wide runtime lock for every byte (docs/fuzzing.md): hundreds of
    /// connection threads doing that at once stalled the fake Envoys.
    public static func receive(_ fd: Int32, appendingTo buffer: inout [UInt8], upTo count: Int) -> Int? {
        guard count > 0 else { return 0 }
        let received = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { scratch -> Int in
            while true {
                let received = recv(fd, scratch.baseAddress!, count, 0)
                if received < 0 && errno == EINTR { continue }
                if received > 0 {
                    buffer.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress!, count: received))
                }
                return received
            }
        }
        return received < 0 ? nil : received
    }

    /// Sends all of `bytes`; false if the peer went away or the send timed out.
    static func sendAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = send(fd, bytes.baseAddress! + offset, bytes.count - offset, noSignal)
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    public static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.isEmpty ? true : bytes.withUnsafeBytes { sendAll(fd, $0) }
    }

    #if canImport(Darwin)
    private static let noSignal: Int32 = 0
    #else
    private static let noSignal = Int32(MSG_NOSIGNAL)
    #endif

    /// Wakes every thread blocked on `fd` (accept, recv, send) without releasing the
    /// descriptor number, so it cannot be reused under the owner's feet.
    static func shutdownBoth(_ fd: Int32) {
        _ = shutdown(fd, Int32(SHUT_RDWR))
    }

    public static func closeDescriptor(_ fd: Int32) {
        _ = close(fd)
    }
}

// `listen` and `accept` are shadowed by the static methods above.
private func systemListen(_ fd: Int32, _ backlog: Int32) -> Int32 { listen(fd, backlog) }
private func systemAccept(_ fd: Int32) -> Int32 { accept(fd, nil, nil) }
private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

extension Socket {
    /// Shuts down the sending side, then reads and discards for up to half a second
    /// (or 1 MiB) until the peer closes. Closing with unread input would send a reset
    /// that can destroy the response the peer has not read yet. Does not close `fd`.
    static func lingeringClose(_ fd: Int32) {
        _ = shutdown(fd, Int32(SHUT_WR))
        var timeout = timeval()
        timeout.tv_usec = 500_000
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var scratch = [UInt8](repeating: 0, count: 16_384)
        var drained = 0
        while drained < 1 << 20 {
            let received = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if received < 0 && errno == EINTR { continue }
            guard received > 0 else { return }
            drained += received
        }
    }
}
