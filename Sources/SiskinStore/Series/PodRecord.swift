import SiskinIngest

/// A pod the store tracks: its push stream and where its series live.
public struct PodRecord: Sendable {
    public var stream: PodStream
    /// Pod-stream slot → pod-level series id (-1 where unused).
    var seriesOfSlot: [Int]
    /// Aggregator clock (ms) at the last accepted push: drives staleness.
    public var lastReceived: Int64
    /// Typical time between pushes (ms, agent clock), for freshness.
    public var intervalMilliseconds: Int64
    public var live: Bool

    public var key: PodKey { stream.pod }
}
