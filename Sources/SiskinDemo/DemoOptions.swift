import Logging
import SiskinQuery

/// Everything `siskin demo` runs with. The defaults are the embedded ones the
/// README's main command uses.
public struct DemoOptions: Sendable {
    /// Shown in the header: `healthy`, `errors`, `slow` or `custom`.
    public var scenarioName: String
    public var scenario: DemoScenario
    public var plan: RolloutPlan
    public var namespace = "test"
    /// The Canary's name: the canary workload; the primary is `<service>-primary`.
    public var service = "podinfo"
    public var primaryPods = 2
    public var canaryPods = 1
    /// The agents' scrape interval; also the store's slot width.
    public var agentIntervalSeconds: Double = 1
    /// Where `siskin serve` listens (port 0: any free port).
    public var listenHost = "127.0.0.1"
    public var listenPort = 0
    /// Kept after the run when given; otherwise a temporary directory, removed at the end.
    public var dataDirectory: String?
    /// The simulator's seed: same seed, same traffic.
    public var seed: UInt64 = 1
    /// Flagger's progress deadline: the rollout fails when it is not decided by then.
    public var deadlineSeconds: Double?
    /// After the verdict, keep serving (agents pushing, traffic on the
    /// primary) this long so the pages can be looked at; Ctrl-C ends it early.
    public var lingerSeconds: Double = 0
    /// Log level of the in-process server and agents (their lines go to stderr).
    public var logLevel: Logger.Level = .error
    /// Polled while the rollout waits: true stops it (Ctrl-C), rolled back and cleaned up.
    public var interrupted: @Sendable () -> Bool = { false }

    public init(scenario name: DemoScenario.Name = .healthy, plan: RolloutPlan = RolloutPlan()) {
        self.scenarioName = name.rawValue
        self.scenario = .named(name)
        self.plan = plan
    }

    /// The canary workload (Flagger's target Deployment).
    public var canary: String { service }
    public var primary: String { service + "-primary" }

    /// The canary page for this rollout on `serverURL`: both sides over the
    /// judge's window, trends in 2 s steps, refreshed every second.
    public func pageURL(serverURL: String) -> String {
        "\(serverURL)/#/canary?namespace=\(namespace)&canary=\(canary)&primary=\(primary)"
            + "&window=\(DurationText.text(seconds: plan.judgeWindow))&step=2s&refresh=1"
    }
    /// The pod sending podinfo its traffic.
    public static let loadGenerator = "loadgenerator"

    /// Flagger's deadline when none is given: every analysis to promotion,
    /// every failure the threshold allows, and a minute to spare.
    public var deadline: Double {
        deadlineSeconds ?? Double(plan.analysesToPromotion + plan.threshold + 1) * plan.intervalSeconds + 60
    }

    /// Why these options cannot run, if they cannot.
    public var problems: [String] {
        var problems = plan.problems
        if !(1...20).contains(primaryPods) { problems.append("primary pods must be 1…20") }
        if !(1...20).contains(canaryPods) { problems.append("canary pods must be 1…20") }
        if !(agentIntervalSeconds >= 0.2 && agentIntervalSeconds <= 60) { problems.append("agent interval must be 0.2s…60s") }
        if agentIntervalSeconds * 2 > plan.intervalSeconds {
            problems.append("the analysis interval must be at least two agent intervals")
        }
        if !(lingerSeconds >= 0 && lingerSeconds <= 86_400) { problems.append("linger must be 0s…24h") }
        if !(scenario.requestsPerSecond > 0 && scenario.requestsPerSecond <= 1_000_000) {
            problems.append("requests per second must be in (0, 1,000,000]")
        }
        return problems
    }
}
