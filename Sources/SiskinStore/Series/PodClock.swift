/// What the watermark reads of one pod, packed: every query walks all pods,
/// and the records themselves are large (a stream with per-series state), so
/// a walk over them touches a cache line per pod where this touches a few
/// bytes.
struct PodClock: Sendable {
    /// Agent clock (ms) of the pod's newest accepted push.
    var timestamp: Int64
    /// Aggregator clock (ms) when that push arrived.
    var lastReceived: Int64
    /// Typical time between the pod's pushes (ms).
    var interval: Int64
    var live: Bool

    init(_ record: PodRecord) {
        timestamp = record.stream.timestampMilliseconds
        lastReceived = record.lastReceived
        interval = record.intervalMilliseconds
        live = record.live
    }
}
