/// The kinds of family a summary carries. Raw values are a stable part of the
/// wire format: never renumber.
public enum MetricKind: UInt8, Sendable, Hashable, CaseIterable {
    /// Monotonic cumulative value, reset-corrected by the agent.
    case counter = 1
    /// Point-in-time value: the sum of the current raw values.
    case gauge = 2
    /// Classic histogram, every part cumulative and reset-corrected.
    case histogram = 3
}
