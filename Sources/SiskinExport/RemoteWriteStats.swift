/// What one endpoint's senders did since start-up (served on `/metrics`).
public struct RemoteWriteStats: Sendable, Equatable {
    public var url: String
    /// Samples the receiver accepted (2xx).
    public var samplesSent: Int = 0
    /// Samples the receiver refused for good (4xx other than 429), or still
    /// failing at shutdown.
    public var samplesFailed: Int = 0
    /// Samples dropped before the receiver saw them, by reason.
    public var dropped: [DropReason: Int] = [:]
    /// Every sample dropped, whatever the reason.
    public var samplesDropped: Int { dropped.values.reduce(0, +) }
    /// Samples sent again after a 5xx, 429 or transport failure.
    public var samplesRetried: Int = 0
    /// Requests answered 2xx, and their compressed bytes.
    public var requestsSent: Int = 0
    public var bytesSent: Int = 0
    /// Samples waiting in the queues.
    public var queueLength: Int = 0
    /// Bytes the queues take: segment files on disk plus encoded batches in
    /// memory.
    public var queueBytes: Int64 = 0
    /// Bytes of queue segments skipped as torn or damaged (after `kill -9`,
    /// a power loss, or damage on disk).
    public var queueCorruptBytes: Int64 = 0
    /// Batches the disk refused (full disk, I/O error), kept in memory instead.
    public var queueDiskErrors: Int = 0
    /// Newest sample timestamp (ms) the receiver accepted.
    public var newestSentMilliseconds: Int64?

    public init(url: String) {
        self.url = url
    }

    /// Seconds between `now` and the newest sample delivered: the slot
    /// (data completes behind the watermark), the push interval and the
    /// queue and network delay; it grows while the receiver is away.
    public func lagSeconds(now: Int64) -> Double? {
        newestSentMilliseconds.map { Double(max(0, now - $0)) / 1000 }
    }

    static func + (a: RemoteWriteStats, b: RemoteWriteStats) -> RemoteWriteStats {
        var out = a
        out.samplesSent += b.samplesSent
        out.samplesFailed += b.samplesFailed
        out.dropped.merge(b.dropped, uniquingKeysWith: +)
        out.samplesRetried += b.samplesRetried
        out.requestsSent += b.requestsSent
        out.bytesSent += b.bytesSent
        out.queueLength += b.queueLength
        out.queueBytes += b.queueBytes
        out.queueCorruptBytes += b.queueCorruptBytes
        out.queueDiskErrors += b.queueDiskErrors
        switch (a.newestSentMilliseconds, b.newestSentMilliseconds) {
        case (let x?, let y?): out.newestSentMilliseconds = max(x, y)
        case (nil, let y): out.newestSentMilliseconds = y
        default: break
        }
        return out
    }
}
