/// What to do with a batch after one attempt to send it, as Prometheus'
/// own remote-write client decides: 5xx and 429 are the receiver's trouble
/// and worth retrying (honouring `Retry-After`); any other 4xx means the
/// batch itself is refused (bad labels, out of order, too old) and sending
/// it again would fail again, so it is dropped and counted.
public enum SendDecision: Sendable, Equatable {
    case delivered
    /// Try again after the backoff, and no sooner than `notBefore` seconds
    /// (a `Retry-After`).
    case retry(notBefore: Double?)
    case drop
}

public enum RetryPolicy {
    /// Decision for an HTTP status (with its `Retry-After`, if any).
    public static func decide(status: Int, retryAfterSeconds: Double? = nil) -> SendDecision {
        switch status {
        case 200..<300: .delivered
        case 429, 500..<600: .retry(notBefore: retryAfterSeconds)
        default: .drop
        }
    }

    /// A transport failure (refused, reset, timeout, TLS): the receiver may
    /// come back, so retry.
    public static let transportFailure = SendDecision.retry(notBefore: nil)
}
