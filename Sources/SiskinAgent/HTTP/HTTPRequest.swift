/// One HTTP exchange the agent makes: a scrape (GET) or a push (POST).
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", post = "POST" }

    public var method: Method
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Whole-exchange limit (connect, send, receive).
    public var timeoutSeconds: Double
    /// Connection set-up limit.
    public var connectTimeoutSeconds: Double
    /// Ask for gzip and let libcurl decode it (Istio can compress :15090).
    public var acceptGzip: Bool
    /// Responses larger than this (decoded) are cut off with an error, so a
    /// runaway endpoint cannot exhaust the pod's memory.
    public var maxResponseBytes: Int
    /// `User-Agent`; the agent's own when nil.
    public var userAgent: String?
    /// CA bundle to verify https peers with (the system's when nil).
    public var caFile: String?

    public init(
        method: Method, url: String, headers: [(String, String)] = [], body: [UInt8] = [],
        timeoutSeconds: Double = 5, connectTimeoutSeconds: Double = 2, acceptGzip: Bool = false,
        maxResponseBytes: Int = 256 << 20, userAgent: String? = nil, caFile: String? = nil
    ) {
        self.userAgent = userAgent
        self.caFile = caFile
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.acceptGzip = acceptGzip
        self.maxResponseBytes = maxResponseBytes
    }
}

/// What came back: status, the headers the agent acts on, and the body.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// `Retry-After` in seconds (delta-seconds form), if present.
    public var retryAfterSeconds: Double?
    public var contentType: String?
    /// Bytes received on the wire (before decoding gzip).
    public var wireBytes: Int
    /// Decoded body bytes handed to a stream consumer (0 when buffered).
    public var bodyBytes: Int
    /// Seconds the whole exchange took.
    public var seconds: Double
}

/// Why an exchange did not produce an HTTP response.
public struct HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case connectionRefused
        case timeout
        case resolve
        case responseTooLarge
        /// The TLS handshake failed: the peer's certificate is not trusted
        /// (not signed by the CA file, wrong name, expired), or the CA file
        /// is unusable.
        case tls
        case other
    }

    public var kind: Kind
    /// libcurl's message, e.g. "Couldn't connect to server".
    public var message: String
    public var url: String

    public var description: String { "\(url): \(message)" }
}
