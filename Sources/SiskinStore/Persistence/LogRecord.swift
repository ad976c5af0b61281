/// One entry of the push log: a change to the store, with the aggregator
/// time it happened at, so replaying it reproduces the change exactly
/// (`WindowedStore` is deterministic given its state, the input and `now`).
///
/// On disk: `[u32 LE payload length][u32 LE CRC-32 of payload][payload]`,
/// payload `[u8 kind][i64 LE time ms][body]`. A push's body is the wire
/// frame exactly as received (decoding it again at replay costs less disk
/// than any re-encoding would save). Expiry passes are logged too: they drop
/// pods, and a pod pushing again after being dropped starts a new baseline,
/// so replay must drop it at the same point.
enum LogRecord: Sendable, Equatable {
    /// A push that was applied, received at `receivedAt`.
    case push(receivedAt: Int64, body: [UInt8])
    /// An expiry pass at `now` that dropped something.
    case expire(now: Int64)
    /// The aggregator started again at `now` (`WindowedStore.resume`): the
    /// time it was down does not count toward any pod's staleness.
    case resume(now: Int64)

    static let pushKind: UInt8 = 1
    static let expireKind: UInt8 = 2
    static let resumeKind: UInt8 = 3

    /// Length and checksum before each payload.
    static let framingBytes = FramedRecord.framingBytes
    /// Kind and time before each body.
    static let payloadHeaderBytes = 9

    /// The record as written: framing, then payload.
    func framed() -> [UInt8] {
        var payload = BinaryWriter(capacity: Self.framingBytes + Self.payloadHeaderBytes + bodyCount)
        // Room for the framing, filled in once the payload is known.
        payload.uint64(0)
        switch self {
        case .push(let receivedAt, let body):
            payload.byte(Self.pushKind)
            payload.int64(receivedAt)
            payload.raw(body)
        case .expire(let now):
            payload.byte(Self.expireKind)
            payload.int64(now)
        case .resume(let now):
            payload.byte(Self.resumeKind)
            payload.int64(now)
        }
        var bytes = payload.drain()
        FramedRecord.fillFraming(&bytes)
        return bytes
    }

    /// Payload bytes (after the framing).
    var payloadCount: Int { Self.payloadHeaderBytes + bodyCount }

    private var bodyCount: Int {
        if case .push(_, let body) = self { return body.count }
        return 0
    }

    /// Parses a payload whose checksum matched; nil for a kind this version
    /// does not know (or an expiry carrying a body), which replay skips.
    init?(payload: [UInt8]) {
        var reader = BinaryReader(payload)
        guard let kind = try? reader.byte("kind"), let time = try? reader.int64("time") else { return nil }
        switch kind {
        case Self.pushKind:
            self = .push(receivedAt: time, body: Array(payload[Self.payloadHeaderBytes...]))
        case Self.expireKind where reader.isAtEnd:
            self = .expire(now: time)
        case Self.resumeKind where reader.isAtEnd:
            self = .resume(now: time)
        default:
            return nil
        }
    }
}
