/// Which of the store's series are exported, and at which level.
///
/// Every family goes out at exactly one level, so a receiver's `sum()` over
/// a family never counts the same requests twice (a rollup is the sum of the
/// pod-level series it is made of, under the same metric name).
public struct ExportSelection: Sendable, Hashable {
    public enum Level: String, Sendable, Hashable, CaseIterable {
        /// Every family summed over the pods of a workload (no `pod` label).
        case rollup
        /// Every family per pod (with `pod`): the most series.
        case pod
        /// `podFamilies` per pod (what the HPA's prometheus-adapter asks by
        /// pod), every other family as workload rollups.
        case both
    }

    public var level: Level
    /// Families exported per pod under `.both`.
    public var podFamilies: Set<String>

    /// The HPA's series: prometheus-adapter's Istio rule asks
    /// `istio_requests_total` by `pod`.
    public static let defaultPodFamilies: Set<String> = ["istio_requests_total"]

    public init(level: Level = .both, podFamilies: Set<String> = ExportSelection.defaultPodFamilies) {
        self.level = level
        self.podFamilies = podFamilies
    }

    /// Whether `family` goes out per pod (otherwise as a rollup).
    public func perPod(_ family: String) -> Bool {
        switch level {
        case .pod: true
        case .rollup: false
        case .both: podFamilies.contains(family)
        }
    }
}
