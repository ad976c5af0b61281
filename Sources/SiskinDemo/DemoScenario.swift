import SiskinSimulator

/// What the demo's simulated release does: how much traffic podinfo gets and how
/// the primary (the running version) and the canary (the new one) answer it.
///
/// The three named scenarios are the cases a canary analysis exists for: a good
/// release, one that starts failing requests, and one that got slower.
public struct DemoScenario: Sendable, Equatable {
    /// The named starting points of `siskin demo --scenario`.
    public enum Name: String, Sendable, CaseIterable {
        /// The canary behaves exactly like the primary: it must be promoted.
        case healthy
        /// The canary answers 4 % of requests with 5xx against the primary's 0.5 %.
        case errors
        /// The canary is three times slower (median 60 ms, p99 510 ms against 20/170 ms).
        case slow
    }

    /// Requests per second the load generator sends to podinfo (split by the weights).
    public var requestsPerSecond: Double
    public var primary: MeshTopology.ReleaseBehaviour
    public var canary: MeshTopology.ReleaseBehaviour

    public init(requestsPerSecond: Double, primary: MeshTopology.ReleaseBehaviour, canary: MeshTopology.ReleaseBehaviour) {
        self.requestsPerSecond = requestsPerSecond
        self.primary = primary
        self.canary = canary
    }

    /// The primary every scenario starts from: 0.5 % 5xx, median 20 ms, p99 170 ms.
    public static let stablePrimary = MeshTopology.ReleaseBehaviour(
        errorShare: 0.005, latency: .latency(medianMs: 20, p99Ms: 170))

    /// Enough load that a 10 % canary sees the judge's 500-request minimum in a 5 s
    /// window (simulated traffic is counters, so the rate costs nothing).
    public static let defaultRequestsPerSecond: Double = 2_000

    public static func named(_ name: Name) -> DemoScenario {
        let primary = stablePrimary
        let canary: MeshTopology.ReleaseBehaviour
        switch name {
        case .healthy:
            canary = primary
        case .errors:
            canary = MeshTopology.ReleaseBehaviour(errorShare: 0.04, latency: primary.latency)
        case .slow:
            canary = MeshTopology.ReleaseBehaviour(
                errorShare: primary.errorShare, latency: .latency(medianMs: 60, p99Ms: 510))
        }
        return DemoScenario(requestsPerSecond: defaultRequestsPerSecond, primary: primary, canary: canary)
    }

    /// One line per side, for the demo's header.
    public var description: String {
        func side(_ behaviour: MeshTopology.ReleaseBehaviour) -> String {
            "\(Format.percent(behaviour.errorShare * 100)) 5xx, p50 \(Format.milliseconds(behaviour.latency.median)), "
                + "p99 \(Format.milliseconds(behaviour.latency.p99))"
        }
        return "primary \(side(primary)); canary \(side(canary)); \(Format.number(requestsPerSecond)) req/s"
    }
}
