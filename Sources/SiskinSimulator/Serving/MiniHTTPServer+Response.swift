extension MiniHTTPServer {
    /// What a handler answers. The server adds `Content-Length` itself (and
    /// `Connection: close` when it closes), so handlers must not set those two.
    public struct Response: Sendable {
        /// Status code, e.g. 200.
        public var status: Int
        /// Extra header fields, in order.
        public var headers: [(String, String)]
        /// The body; always sent with a `Content-Length` (omitted for HEAD requests).
        public var body: [UInt8]
        /// Seconds to wait before responding (lets tests simulate a hung peer). `stop()`
        /// cuts the wait short and closes the connection without a response.
        public var delaySeconds: Double
        /// Close the connection after this response.
        public var closeConnection: Bool

        public init(
            status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = [], delaySeconds: Double = 0,
            closeConnection: Bool = false
        ) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delaySeconds = delaySeconds
            self.closeConnection = closeConnection
        }

        /// A `text/plain; charset=utf-8` response.
        public init(status: Int, text: String, closeConnection: Bool = false) {
            self.init(
                status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8),
                closeConnection: closeConnection)
        }

        /// An empty response with `status`.
        public static func empty(_ status: Int) -> Response {
            Response(status: status)
        }

        /// The value of the first header named `name` (case-insensitive).
        public func header(_ name: String) -> String? {
            let lowered = name.lowercased()
            return headers.first { $0.0.lowercased() == lowered }?.1
        }

        /// Status line and header block, CRLF-terminated.
        func head(keepAlive: Bool, http10: Bool) -> [UInt8] {
            var text = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
            for (name, value) in headers {
                let lowered = name.lowercased()
                if lowered == "content-length" || lowered == "connection" || lowered == "transfer-encoding" {
                    continue
                }
                // Never let a handler's value break the framing.
                guard !name.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 58 }),
                    !value.utf8.contains(where: { $0 == 13 || $0 == 10 })
                else { continue }
                text += "\(name): \(value)\r\n"
            }
            text += "Content-Length: \(body.count)\r\n"
            if !keepAlive {
                text += "Connection: close\r\n"
            } else if http10 {
                text += "Connection: keep-alive\r\n"
            }
            text += "\r\n"
            return Array(text.utf8)
        }

        static func reasonPhrase(_ status: Int) -> String {
            switch status {
            case 100: "Continue"
            case 200: "OK"
            case 201: "Created"
            case 202: "Accepted"
            case 204: "No Content"
            case 301: "Moved Permanently"
            case 302: "Found"
            case 304: "Not Modified"
            case 400: "Bad Request"
            case 401: "Unauthorized"
            case 403: "Forbidden"
            case 404: "Not Found"
            case 405: "Method Not Allowed"
            case 408: "Request Timeout"
            case 409: "Conflict"
            case 411: "Length Required"
            case 413: "Content Too Large"
            case 415: "Unsupported Media Type"
            case 422: "Unprocessable Content"
            case 429: "Too Many Requests"
            case 431: "Request Header Fields Too Large"
            case 500: "Internal Server Error"
            case 501: "Not Implemented"
            case 502: "Bad Gateway"
            case 503: "Service Unavailable"
            case 504: "Gateway Timeout"
            case 505: "HTTP Version Not Supported"
            default: "Status \(status)"
            }
        }
    }
}
