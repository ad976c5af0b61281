import SiskinStore

/// One request's worth of samples, encoded once when it is queued: the
/// snappy-compressed `WriteRequest` body, ready to POST as it is, whether it
/// waits in memory or in a queue segment on disk.
///
/// Encoding at enqueue time means a batch read back after a restart needs
/// no re-encoding, and every endpoint shares the same encoded batches.
public struct QueuedBatch: Sendable, Equatable {
    /// The request body (snappy block of a protobuf `WriteRequest`).
    public var body: [UInt8]
    /// Samples in it (statistics, drop counts, the queue's sample bound).
    public var samples: Int
    /// Newest sample timestamp (ms): the export lag once delivered.
    public var newest: Int64
    /// End (ms) of the last slot the exporter had collected when it queued
    /// this batch. After a restart the largest one on disk tells the
    /// collector which samples are already queued, so none is queued twice.
    public var through: Int64

    public init(body: [UInt8], samples: Int, newest: Int64, through: Int64) {
        self.body = body
        self.samples = samples
        self.newest = newest
        self.through = through
    }

    /// Encodes `series` as one batch.
    public init(series: [ExportSeries], through: Int64) {
        var samples = 0
        var newest = Int64.min
        for s in series {
            samples += s.samples.count
            if let last = s.samples.last { newest = max(newest, last.timestamp) }
        }
        self.init(body: Snappy.compress(RemoteWriteEncoder.encode(series)), samples: samples, newest: newest, through: through)
    }

    /// `series` cut into batches of at most `maxSamples` samples, in order
    /// (a longer series is split, its samples staying in time order).
    public static func batches(_ series: [ExportSeries], maxSamples: Int, through: Int64) -> [QueuedBatch] {
        let limit = max(1, maxSamples)
        var out: [QueuedBatch] = []
        var current: [ExportSeries] = []
        var taken = 0
        for piece in series where !piece.samples.isEmpty {
            var rest = piece.samples[...]
            while !rest.isEmpty {
                let room = limit - taken
                let part = rest.prefix(room)
                current.append(ExportSeries(labels: piece.labels, samples: Array(part)))
                taken += part.count
                rest = rest.dropFirst(part.count)
                if taken == limit {
                    out.append(QueuedBatch(series: current, through: through))
                    current.removeAll(keepingCapacity: true)
                    taken = 0
                }
            }
        }
        if !current.isEmpty { out.append(QueuedBatch(series: current, through: through)) }
        return out
    }

    // MARK: On disk

    static let kind: UInt8 = 1
    /// Kind, samples, newest and through before the body.
    static let headerBytes = 1 + 4 + 8 + 8

    /// Bytes it takes in a segment, framing included.
    var storedBytes: Int { FramedRecord.framingBytes + Self.headerBytes + body.count }

    /// The record payload: `[u8 kind=1][u32 LE samples][i64 LE newest][i64 LE through][body]`.
    func payload() -> [UInt8] {
        var writer = BinaryWriter(capacity: Self.headerBytes + body.count)
        writer.byte(Self.kind)
        writer.uint32(UInt32(clamping: samples))
        writer.int64(newest)
        writer.int64(through)
        writer.raw(body)
        return writer.drain()
    }

    /// Parses a payload whose checksum matched; nil for a kind this version
    /// does not know.
    init?(payload: [UInt8]) {
        var reader = BinaryReader(payload)
        guard let kind = try? reader.byte("kind"), kind == Self.kind,
              let samples = try? reader.uint32("samples"), let newest = try? reader.int64("newest"),
              let through = try? reader.int64("through")
        else { return nil }
        self.init(body: Array(payload[Self.headerBytes...]), samples: Int(samples), newest: newest, through: through)
    }
}
