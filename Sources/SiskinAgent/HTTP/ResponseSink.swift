import SiskinExposition

/// Collects one response: body bytes into a buffer that is reused across
/// exchanges (no per-scrape allocation once it has grown), and the headers the
/// agent acts on.
final class ResponseSink {
    private var buffer: [UInt8] = []
    private(set) var limit = Int.max
    private(set) var overflowed = false
    private(set) var retryAfterSeconds: Double?
    private(set) var contentType: String?
    /// Status from the last status line seen (headers arrive before the body).
    private(set) var status = 0
    /// When set, a 2xx body goes here piece by piece instead of the buffer.
    var consumer: ((UnsafeRawBufferPointer) -> Void)?
    private(set) var streamedBytes = 0

    func reset(limit: Int) {
        buffer.removeAll(keepingCapacity: true)
        self.limit = limit
        overflowed = false
        retryAfterSeconds = nil
        contentType = nil
        status = 0
        streamedBytes = 0
    }

    /// libcurl write callback body; returning less than `count` aborts.
    func append(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let data, count > 0 else { return 0 }
        if let consumer, (200..<300).contains(status) {
            guard streamedBytes + count <= limit else {
                overflowed = true
                return 0
            }
            streamedBytes += count
            consumer(UnsafeRawBufferPointer(start: data, count: count))
            return count
        }
        guard buffer.count + count <= limit else {
            overflowed = true
            return 0
        }
        data.withMemoryRebound(to: UInt8.self, capacity: count) {
            buffer.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
        }
        return count
    }

    /// libcurl header callback body: one header line per call.
    func header(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) {
        guard let data, count > 0 else { return }
        let line = data.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
        guard let colon = line.firstIndex(of: ":") else {
            // A new status line (redirects, 100-continue): forget earlier headers.
            if line.hasPrefix("HTTP/") {
                retryAfterSeconds = nil
                contentType = nil
                let parts = line.split(separator: " ")
                status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            }
            return
        }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingScalars(in: " \t\r\n")
        switch name {
        case "retry-after": retryAfterSeconds = Double(value).flatMap { $0 >= 0 ? $0 : nil }
        case "content-type": contentType = value
        default: break
        }
    }

    func withBody<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try buffer.withUnsafeBytes(body)
    }
}
