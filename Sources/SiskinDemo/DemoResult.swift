/// How the demo's rollout ended, and everything it saw on the way.
public struct DemoResult: Sendable {
    public enum Outcome: String, Sendable {
        /// Every analysis passed up to `maxWeight`: the canary was promoted.
        case promoted
        /// The failed-check threshold (or the deadline) was reached: traffic is back on the primary.
        case rolledBack = "rolled back"
    }

    public var outcome: Outcome
    /// For a rollback: the failed checks of the last analysis (or the deadline).
    public var reasons: [String]
    public var analyses: [AnalysisReport]
    public var failedChecks: Int
    /// The highest canary weight reached, percent.
    public var peakWeight: Int
    /// From the first traffic shift to the decision.
    public var elapsedSeconds: Double
    /// Stopped by `DemoOptions.interrupted` rather than decided.
    public var interrupted = false
}
