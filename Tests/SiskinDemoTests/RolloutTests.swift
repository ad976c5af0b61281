import SiskinDemo
import Testing

/// Flagger's progressive delivery, decision by decision.
@Suite struct RolloutTests {
    let plan = RolloutPlan(intervalSeconds: 5, threshold: 2, stepWeight: 10, maxWeight: 30)

    @Test func firstStepRoutesStepWeightWithoutAnalysis() {
        var rollout = Rollout(plan: plan)
        #expect(!rollout.needsAnalysis)
        #expect(rollout.start() == .advance(weight: 10))
        #expect(rollout.needsAnalysis)
        #expect(rollout.analyses == 0)
    }

    @Test func passingAnalysesAdvanceToMaxWeightThenPromote() {
        var rollout = Rollout(plan: plan)
        _ = rollout.start()
        #expect(rollout.record(analysisPassed: true) == .advance(weight: 20))
        #expect(rollout.record(analysisPassed: true) == .advance(weight: 30))
        #expect(rollout.record(analysisPassed: true) == .promote)
        #expect(rollout.phase == .succeeded)
        #expect(rollout.canaryWeight == 0)
        #expect(rollout.analyses == plan.analysesToPromotion)
    }

    @Test func weightNeverOvershootsMaxWeight() {
        var rollout = Rollout(plan: RolloutPlan(stepWeight: 20, maxWeight: 50))
        _ = rollout.start()
        #expect(rollout.record(analysisPassed: true) == .advance(weight: 40))
        #expect(rollout.record(analysisPassed: true) == .advance(weight: 50))
        #expect(rollout.record(analysisPassed: true) == .promote)
    }

    @Test func failedAnalysisHoldsWeightAndCounts() {
        var rollout = Rollout(plan: plan)
        _ = rollout.start()
        #expect(rollout.record(analysisPassed: false) == .halt(failedChecks: 1))
        #expect(rollout.canaryWeight == 10)
        // Failed checks are not forgiven by a later pass: Flagger counts them over the whole analysis.
        #expect(rollout.record(analysisPassed: true) == .advance(weight: 20))
        #expect(rollout.record(analysisPassed: false) == .rollBack(failedChecks: 2))
        #expect(rollout.phase == .failed)
        #expect(rollout.canaryWeight == 0)
    }

    @Test func abortRollsBack() {
        var rollout = Rollout(plan: plan)
        _ = rollout.start()
        rollout.abort()
        #expect(rollout.isFinished)
        #expect(rollout.phase == .failed)
    }

    @Test func planProblemsAreNamed() {
        #expect(RolloutPlan().problems.isEmpty)
        #expect(RolloutPlan(stepWeight: 60, maxWeight: 50).problems == ["stepWeight must not exceed maxWeight"])
        #expect(RolloutPlan(intervalSeconds: 0.5, threshold: 0).problems.count == 2)
    }
}
