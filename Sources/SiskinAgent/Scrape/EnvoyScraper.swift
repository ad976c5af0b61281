/// Scrapes the pod's Envoy admin endpoint (`:15090/stats/prometheus`) over a
/// kept-alive libcurl connection, asking for gzip.
public final class EnvoyScraper {
    public let url: String
    public var timeoutSeconds: Double
    private let curl: CurlEasy

    /// `filter` and `usedOnly` are Envoy's own query parameters: a regex on
    /// stat names, and "only stats that were ever written". Both make Envoy
    /// print less, so less is read and parsed.
    public init(url: String, filter: String? = nil, usedOnly: Bool = false, timeoutSeconds: Double) throws(HTTPError) {
        self.url = EnvoyScraper.buildURL(url, filter: filter, usedOnly: usedOnly)
        self.timeoutSeconds = timeoutSeconds
        self.curl = try CurlEasy()
    }

    static func buildURL(_ base: String, filter: String?, usedOnly: Bool) -> String {
        var parameters: [String] = []
        if usedOnly { parameters.append("usedonly") }
        if let filter, !filter.isEmpty { parameters.append("filter=" + percentEncode(filter)) }
        guard !parameters.isEmpty else { return base }
        return base + (base.contains("?") ? "&" : "?") + parameters.joined(separator: "&")
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }

    /// A failed scrape: no connection, a timeout, or a non-200 answer.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// GETs the stats, handing the body to `consume` piece by piece as libcurl
    /// receives it; returns the response once the transfer is complete.
    /// Throws on no connection, a timeout, or a non-200 answer (in which case
    /// pieces already consumed belong to a transfer that did not complete).
    public func stream(_ consume: (UnsafeRawBufferPointer) -> Void) throws -> HTTPResponse {
        let request = HTTPRequest(
            method: .get, url: url, headers: [("Accept", "text/plain; version=0.0.4")],
            timeoutSeconds: timeoutSeconds, connectTimeoutSeconds: min(timeoutSeconds, 2), acceptGzip: true)
        return try curl.perform(request, stream: consume) { response, _ in
            guard response.status == 200 else {
                throw Failure(message: "\(url): HTTP \(response.status)")
            }
            return response
        }
    }
}
