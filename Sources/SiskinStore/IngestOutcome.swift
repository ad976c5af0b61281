import SiskinIngest

/// What the store did with one decoded push.
public enum IngestOutcome: Sendable, Equatable {
    /// Applied: a pod's first push (baseline) or its increases.
    case applied(kind: PushIncrements.Kind, newSeries: Int, resets: Int)
    /// Already applied or older than what was applied; harmless, and the
    /// agent should not retry it.
    case ignored(PodStream.Ignored)
    /// Refused; the agent should not retry the same summary.
    case rejected(Rejection)

    public enum Rejection: Sendable, Equatable, CustomStringConvertible {
        case tooManySeries(count: Int, limit: Int)
        case tooManyPods(limit: Int)
        case timestampInFuture(skewMilliseconds: Int64)
        case timestampTooOld(ageMilliseconds: Int64)
        case emptyIdentity

        public var description: String {
            switch self {
            case .tooManySeries(let c, let l): "summary has \(c) series, more than the \(l) allowed per pod"
            case .tooManyPods(let l): "the aggregator already tracks its limit of \(l) pods"
            case .timestampInFuture(let skew): "timestamp is \(skew) ms ahead of the aggregator's clock"
            case .timestampTooOld(let age): "timestamp is \(age) ms behind the aggregator's clock (more than a day)"
            case .emptyIdentity: "summary has an empty pod or namespace"
            }
        }

        /// Short label for metrics.
        public var reason: String {
            switch self {
            case .tooManySeries: "too_many_series"
            case .tooManyPods: "too_many_pods"
            case .timestampInFuture: "timestamp_in_future"
            case .timestampTooOld: "timestamp_too_old"
            case .emptyIdentity: "empty_identity"
            }
        }
    }
}
