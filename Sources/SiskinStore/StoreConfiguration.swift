/// Sizes and time limits of the windowed store.
public struct StoreConfiguration: Sendable, Hashable {
    /// Width of one time slot. Pushes every 5 s spread over 5 s slots.
    public var slotMilliseconds: Int64
    /// Width of a rollup slot: coarser, since rollups serve the long windows
    /// (beyond the pod detail) where a few seconds at the edges do not matter.
    public var rollupSlotMilliseconds: Int64
    /// How long pod-level series keep their detail.
    public var detailRetentionMilliseconds: Int64
    /// How long workload-level rollups are kept (`--retention`).
    public var retentionMilliseconds: Int64
    /// A pod that has not pushed for this long is dropped with its series.
    public var staleAfterMilliseconds: Int64
    /// Most series one pod may hold; a push beyond it is rejected.
    public var maxSeriesPerPod: Int
    /// Most pods; a push from a new pod beyond it is rejected.
    public var maxPods: Int
    /// Pushes stamped further than this in the future (agent clock against
    /// the aggregator's) are rejected, so one bad clock cannot wipe the rings.
    public var maxClockSkewMilliseconds: Int64

    public init(
        slotMilliseconds: Int64 = 5_000,
        rollupSlotMilliseconds: Int64 = 30_000,
        detailRetentionMilliseconds: Int64 = 10 * 60_000,
        retentionMilliseconds: Int64 = 60 * 60_000,
        staleAfterMilliseconds: Int64 = 5 * 60_000,
        maxSeriesPerPod: Int = 20_000,
        maxPods: Int = 100_000,
        maxClockSkewMilliseconds: Int64 = 60_000
    ) {
        self.slotMilliseconds = slotMilliseconds
        self.rollupSlotMilliseconds = max(rollupSlotMilliseconds, slotMilliseconds)
        self.detailRetentionMilliseconds = max(detailRetentionMilliseconds, slotMilliseconds)
        self.retentionMilliseconds = max(retentionMilliseconds, self.detailRetentionMilliseconds)
        self.staleAfterMilliseconds = staleAfterMilliseconds
        self.maxSeriesPerPod = maxSeriesPerPod
        self.maxPods = maxPods
        self.maxClockSkewMilliseconds = maxClockSkewMilliseconds
    }

    public static let `default` = StoreConfiguration()

    var detailSlots: Int { Int((detailRetentionMilliseconds + slotMilliseconds - 1) / slotMilliseconds) + 1 }
    var rollupSlots: Int { Int((retentionMilliseconds + rollupSlotMilliseconds - 1) / rollupSlotMilliseconds) + 1 }
}
