#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SiskinSimulator

/// One keep-alive HTTP/1.1 connection over a plain TCP socket, for the load
/// tool's pushes (`--client socket`, the default for `http://` URLs).
///
/// The load tool shares the machine with the server it measures: with
/// libcurl each push cost the tool ~82 µs of CPU (0.34 of this machine's two
/// cores at 4,500 pushes/s), CPU the server then lacked. Real agents run in
/// other pods. This client sends a prepared request in one call and reads
/// the answer with as few `recv`s as it takes (the simulator's `Socket`), which is all a load
/// generator needs (wrk and h2load work the same way); `--client curl` keeps
/// the agent's own libcurl path. Plain HTTP only: `https://` uses libcurl.
final class PushSocket {
    struct Failure: Error, CustomStringConvertible {
        /// The report's category: "connection refused", "timeout", "other".
        var category: String
        var message: String
        var description: String { message }
    }

    private let host: String
    private let port: UInt16
    private let timeoutSeconds: Double
    private var descriptor: Int32 = -1
    /// Bytes read past the previous answer (none with a well-behaved server).
    private var pending: [UInt8] = []

    /// `url` is the full `http://host:port/path` the pushes go to.
    init(url: String, timeoutSeconds: Double) throws(Failure) {
        guard let parsed = Self.hostAndPort(url) else {
            throw Failure(category: "other", message: "\(url): not an http://host[:port]/path URL")
        }
        (host, port) = parsed
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { close() }

    /// POSTs `body` with `head` (the request line and headers, ending in an
    /// empty line) and returns the status and the answer's body.
    func post(head: [UInt8], body: [UInt8], maxResponseBytes: Int) throws(Failure) -> (status: Int, body: [UInt8]) {
        if descriptor < 0 { try connect() }
        do {
            try send(head, body)
            return try receive(maxResponseBytes: maxResponseBytes)
        } catch {
            close()
            throw error
        }
    }

    private func connect() throws(Failure) {
        do {
            let fd = try Socket.connect(host: host, port: port)
            Socket.configureConnection(fd, idleTimeoutSeconds: timeoutSeconds, sendTimeoutSeconds: timeoutSeconds)
            descriptor = fd
        } catch {
            let category = error.code == ECONNREFUSED ? "connection refused"
                : error.code == ETIMEDOUT ? "timeout" : error.operation.hasPrefix("resolve") ? "cannot resolve" : "other"
            throw Failure(category: category, message: "\(error.operation): \(String(cString: strerror(error.code)))")
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func close() {
        if descriptor >= 0 { Socket.closeDescriptor(descriptor) }
        descriptor = -1
    }

    private func failure(_ what: String) -> Failure {
        let code = errno
        return Failure(category: code == EAGAIN || code == EWOULDBLOCK ? "timeout" : "other",
                       message: "\(what) \(host):\(port): \(String(cString: strerror(code)))")
    }

    /// Head and body in one send: with `TCP_NODELAY` two sends would be two segments.
    private func send(_ head: [UInt8], _ body: [UInt8]) throws(Failure) {
        guard Socket.sendAll(descriptor, head + body) else { throw failure("write to") }
    }

    /// Reads one answer: the head up to the empty line, then
    /// `Content-Length` bytes (or chunks) of body.
    private func receive(maxResponseBytes: Int) throws(Failure) -> (status: Int, body: [UInt8]) {
        var data = pending
        pending.removeAll(keepingCapacity: true)
        var headEnd = Self.headEnd(in: data, from: 0)
        while headEnd == nil {
            guard data.count <= maxResponseBytes else { throw Failure(category: "response too large", message: "answer head too large") }
            let searched = data.count
            try readMore(into: &data)
            headEnd = Self.headEnd(in: data, from: max(0, searched - 3))
        }
        let end = headEnd!
        guard let head = String(validating: data[..<end], as: UTF8.self) else {
            throw Failure(category: "other", message: "answer head is not UTF-8")
        }
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw Failure(category: "other", message: "not an HTTP/1.x answer: \(lines.first ?? "")")
        }
        var length: Int?
        var chunked = false
        var closes = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            switch name {
            case "content-length": length = Int(value)
            case "transfer-encoding": chunked = value.lowercased().contains("chunked")
            case "connection": closes = value.lowercased() == "close"
            default: break
            }
        }
        var rest = Array(data[(end + 4)...])
        let body: [UInt8]
        if chunked {
            body = try readChunked(&rest, maxResponseBytes: maxResponseBytes)
        } else {
            let count = length ?? 0
            guard count <= maxResponseBytes else { throw Failure(category: "response too large", message: "answer body of \(count) bytes") }
            while rest.count < count { try readMore(into: &rest) }
            body = Array(rest[..<count])
            pending = Array(rest[count...])
        }
        if closes { close() }
        return (status, body)
    }

    private func readChunked(_ data: inout [UInt8], maxResponseBytes: Int) throws(Failure) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            var lineEnd = Self.crlf(in: data, from: 0)
            while lineEnd == nil {
                try readMore(into: &data)
                lineEnd = Self.crlf(in: data, from: 0)
            }
            let sizeText = String(decoding: data[..<lineEnd!], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: " "), radix: 16), size >= 0 else {
                throw Failure(category: "other", message: "bad chunk size")
            }
            guard body.count + size <= maxResponseBytes else { throw Failure(category: "response too large", message: "chunked answer too large") }
            let start = lineEnd! + 2
            while data.count < start + size + 2 { try readMore(into: &data) }
            body.append(contentsOf: data[start..<(start + size)])
            data = Array(data[(start + size + 2)...])
            if size == 0 {
                pending = data
                return body
            }
        }
    }

    private func readMore(into data: inout [UInt8]) throws(Failure) {
        switch Socket.receive(descriptor, appendingTo: &data, upTo: 64 << 10) {
        case .none: throw failure("read from")
        case .some(0): throw Failure(category: "other", message: "\(host):\(port) closed the connection")
        case .some: return
        }
    }

    private static func headEnd(in data: [UInt8], from start: Int) -> Int? {
        guard data.count >= 4 else { return nil }
        var i = start
        while i + 3 < data.count {
            if data[i] == 13, data[i + 1] == 10, data[i + 2] == 13, data[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }

    private static func crlf(in data: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + 1 < data.count {
            if data[i] == 13, data[i + 1] == 10 { return i }
            i += 1
        }
        return nil
    }

    /// The request target and `Host` header of `url`.
    static func pathAndHost(_ url: String) -> (path: String, host: String) {
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        return (path.isEmpty ? "/" : String(path), String(authority))
    }

    /// `http://host[:port]/…` → host and port (80 by default).
    static func hostAndPort(_ url: String) -> (String, UInt16)? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        guard !authority.isEmpty else { return nil }
        if authority.hasPrefix("[") { return nil }
        let parts = authority.split(separator: ":", maxSplits: 1)
        let host = String(parts[0])
        guard parts.count == 2 else { return (host, 80) }
        guard let port = UInt16(parts[1]) else { return nil }
        return (host, port)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let trimmed = drop { set.contains($0) }
        return String(trimmed.reversed().drop { set.contains($0) }.reversed())
    }
}
