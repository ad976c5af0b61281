/// Flagger's progressive-delivery state machine for one canary, without
/// Kubernetes: the weight it routes to the canary, the failed checks it has
/// counted, and what it does after each analysis.
///
/// The rules are Flagger's: the first step routes `stepWeight` to the canary
/// without an analysis (there is no canary traffic to judge yet); then every
/// interval an analysis runs. A failed one holds the weight and counts a failed
/// check; at `threshold` failed checks the canary is rolled back. A passing one
/// adds `stepWeight` (capped at `maxWeight`), and a passing analysis at
/// `maxWeight` promotes.
public struct Rollout: Sendable, Equatable {
    public enum Phase: String, Sendable, Equatable {
        /// No canary traffic yet.
        case initialized
        /// Analysing and shifting weight.
        case progressing
        /// Promoted: the canary's version becomes the primary.
        case succeeded
        /// Rolled back: all traffic back on the primary.
        case failed
    }

    /// What the state machine did with one step.
    public enum Decision: Sendable, Equatable {
        /// Routed `weight` percent to the canary.
        case advance(weight: Int)
        /// Kept the weight after a failed analysis (`failedChecks` so far).
        case halt(failedChecks: Int)
        case promote
        case rollBack(failedChecks: Int)
    }

    public let plan: RolloutPlan
    public private(set) var phase: Phase = .initialized
    /// Percent of requests routed to the canary.
    public private(set) var canaryWeight = 0
    public private(set) var failedChecks = 0
    /// Analyses run so far.
    public private(set) var analyses = 0

    public init(plan: RolloutPlan) {
        self.plan = plan
    }

    public var isFinished: Bool { phase == .succeeded || phase == .failed }

    /// Whether the next step needs an analysis first (it does once the canary has traffic).
    public var needsAnalysis: Bool { phase == .progressing }

    /// The first step: traffic starts flowing to the canary.
    public mutating func start() -> Decision {
        precondition(phase == .initialized, "the rollout has started")
        phase = .progressing
        canaryWeight = min(plan.stepWeight, plan.maxWeight)
        return .advance(weight: canaryWeight)
    }

    /// The step after an analysis whose checks all passed (`passed`) or not.
    public mutating func record(analysisPassed passed: Bool) -> Decision {
        precondition(phase == .progressing, "no analysis runs outside progressing")
        analyses += 1
        guard passed else {
            failedChecks += 1
            if failedChecks >= plan.threshold {
                phase = .failed
                canaryWeight = 0
                return .rollBack(failedChecks: failedChecks)
            }
            return .halt(failedChecks: failedChecks)
        }
        if canaryWeight >= plan.maxWeight {
            phase = .succeeded
            canaryWeight = 0
            return .promote
        }
        canaryWeight = min(canaryWeight + plan.stepWeight, plan.maxWeight)
        return .advance(weight: canaryWeight)
    }

    /// Gives up (Flagger's progress deadline): rolled back whatever the checks said.
    public mutating func abort() {
        phase = .failed
        canaryWeight = 0
    }
}
