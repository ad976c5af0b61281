/// The request line and header fields of one HTTP/1.x request, validated strictly enough
/// that garbage is answered with an error status rather than misread.
struct RequestHead {
    var method: String
    var path: String
    var query: [String: String]
    var headers: [String: String]
    var version: String
    /// Bytes of body that follow the head.
    var contentLength: Int
    /// Whether the connection may carry another request after this one.
    var keepAlive: Bool
    /// The client waits for `100 Continue` before sending the body (curl does for large POSTs).
    var expectsContinue: Bool

    /// Why a head cannot be served; `status` is the response to send before closing.
    struct Rejection: Error {
        var status: Int
        var message: String
    }

    /// Parses `bytes`: everything before the blank line (CRLF CRLF excluded).
    static func parse(_ bytes: ArraySlice<UInt8>) throws(Rejection) -> RequestHead {
        var lines = LineCursor(bytes)
        guard let requestLine = lines.next() else { throw Rejection(status: 400, message: "empty request") }
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte), !parts[1].isEmpty,
            parts[1].allSatisfy({ $0 > 32 && $0 < 127 })
        else { throw Rejection(status: 400, message: "malformed request line") }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            if version.hasPrefix("HTTP/") && version.utf8.count <= 8 {
                throw Rejection(status: 505, message: "only HTTP/1.0 and HTTP/1.1 are supported")
            }
            throw Rejection(status: 400, message: "malformed request line")
        }

        var target = parts[1]
        if target.starts(with: "http://".utf8) || target.starts(with: "https://".utf8) {
            // Absolute form: drop scheme and authority.
            let afterScheme = target.index(target.firstIndex(of: UInt8(ascii: ":"))!, offsetBy: 3)
            let rest = target[afterScheme...]
            target = rest.firstIndex(of: UInt8(ascii: "/")).map { rest[$0...] } ?? ArraySlice("/".utf8)
        } else if target.first != UInt8(ascii: "/") && target != ArraySlice("*".utf8) {
            throw Rejection(status: 400, message: "malformed request target")
        }
        let pathPart: ArraySlice<UInt8>
        var query: [String: String] = [:]
        if let mark = target.firstIndex(of: UInt8(ascii: "?")) {
            pathPart = target[..<mark]
            query = PercentDecoding.query(target[target.index(after: mark)...])
        } else {
            pathPart = target
        }

        var headers: [String: String] = [:]
        while let line = lines.next() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon != line.startIndex,
                line[..<colon].allSatisfy(isTokenByte)
            else { throw Rejection(status: 400, message: "malformed header field") }
            var value = line[line.index(after: colon)...]
            while let first = value.first, first == 32 || first == 9 { value.removeFirst() }
            while let last = value.last, last == 32 || last == 9 { value.removeLast() }
            guard !value.contains(where: { $0 == 0 || $0 == 13 || $0 == 10 }) else {
                throw Rejection(status: 400, message: "invalid byte in header value")
            }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            let text = String(decoding: value, as: UTF8.self)
            if let existing = headers[name] {
                headers[name] = existing + ", " + text
            } else {
                headers[name] = text
            }
        }

        if headers["transfer-encoding"] != nil {
            throw Rejection(status: 411, message: "chunked request bodies are not supported; send Content-Length")
        }
        var contentLength = 0
        if let field = headers["content-length"] {
            let values = field.split(separator: ",").map { $0.trimmingSpaces() }
            guard let first = values.first, first.utf8.count <= 18, !first.isEmpty,
                first.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), values.allSatisfy({ $0 == first }),
                let parsed = Int(first)
            else { throw Rejection(status: 400, message: "invalid Content-Length") }
            contentLength = parsed
        }
        let connection = headers["connection"]?.lowercased() ?? ""
        let tokens = connection.split(separator: ",").map { $0.trimmingSpaces() }
        let keepAlive = version == "HTTP/1.1" ? !tokens.contains("close") : tokens.contains("keep-alive")
        let expectsContinue = version == "HTTP/1.1" && headers["expect"]?.lowercased() == "100-continue"

        return RequestHead(
            method: String(decoding: parts[0], as: UTF8.self), path: String(decoding: pathPart, as: UTF8.self),
            query: query, headers: headers, version: version, contentLength: contentLength, keepAlive: keepAlive,
            expectsContinue: expectsContinue)
    }

    /// RFC 9110 token characters (method and field names).
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

/// CRLF-separated lines of a head (a bare LF also ends a line).
private struct LineCursor {
    private var rest: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { rest = bytes }

    mutating func next() -> ArraySlice<UInt8>? {
        guard !rest.isEmpty else { return nil }
        guard let newline = rest.firstIndex(of: 10) else {
            defer { rest = rest[rest.endIndex...] }
            return rest
        }
        var line = rest[..<newline]
        if line.last == 13 { line.removeLast() }
        rest = rest[rest.index(after: newline)...]
        return line
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        var slice = self[...]
        while slice.first == " " || slice.first == "\t" { slice.removeFirst() }
        while slice.last == " " || slice.last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
