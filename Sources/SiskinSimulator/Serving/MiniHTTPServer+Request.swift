extension MiniHTTPServer {
    /// One parsed HTTP/1.x request, body included.
    public struct Request: Sendable {
        /// Method as sent, e.g. `"GET"`.
        public var method: String
        /// Request target up to (not including) `?`, as sent (not percent-decoded).
        public var path: String
        /// Query parameters, percent-decoded (`+` is a space). A parameter without `=`
        /// maps to `""`; of repeated names the last wins.
        public var query: [String: String]
        /// Header fields by lowercased name; repeated fields are joined with `", "`.
        public var headers: [String: String]
        /// The body (`Content-Length` bytes; empty without one).
        public var body: [UInt8]
        /// `"HTTP/1.1"` or `"HTTP/1.0"`.
        public var version: String

        public init(
            method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
            body: [UInt8] = [], version: String = "HTTP/1.1"
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
            self.version = version
        }

        /// The value of a header, by case-insensitive name.
        public func header(_ name: String) -> String? {
            headers[name.lowercased()]
        }
    }
}
