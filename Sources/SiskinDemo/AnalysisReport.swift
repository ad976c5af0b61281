import SiskinCanary

/// One side of the canary as the analysis measured it over the interval.
public struct SideReading: Sendable, Equatable {
    public var requestsPerSecond: Double?
    /// Percent of requests not answered 5xx (Flagger's `request-success-rate`).
    public var successRate: Double?
    /// p99 latency in milliseconds (Flagger's `request-duration`).
    public var p99Milliseconds: Double?
    /// Queries that failed, by metric name, with the error.
    public var errors: [String: String] = [:]

    public init(requestsPerSecond: Double? = nil, successRate: Double? = nil, p99Milliseconds: Double? = nil) {
        self.requestsPerSecond = requestsPerSecond
        self.successRate = successRate
        self.p99Milliseconds = p99Milliseconds
    }
}

/// One of an analysis' checks: a builtin metric or the judge webhook.
public struct CheckResult: Sendable, Equatable {
    public var name: String
    public var passed: Bool
    /// Why, with the numbers (Flagger shows such a line in its events when it halts).
    public var detail: String

    public init(name: String, passed: Bool, detail: String) {
        self.name = name
        self.passed = passed
        self.detail = detail
    }
}

/// Siskin's judge as the webhook answered it.
public struct JudgeAnswer: Sendable, Equatable {
    public var outcome: Outcome
    public var score: Double?
    public var summary: String
}

/// Everything one analysis saw and decided: the live view's row.
public struct AnalysisReport: Sendable, Equatable {
    /// Seconds since the rollout started.
    public var elapsedSeconds: Double
    /// The canary weight the analysed interval ran at.
    public var canaryWeight: Int
    public var primary: SideReading
    public var canary: SideReading
    public var judge: JudgeAnswer?
    public var checks: [CheckResult]

    /// Flagger advances only when every check passed.
    public var passed: Bool { !checks.isEmpty && checks.allSatisfy(\.passed) }
    public var failures: [CheckResult] { checks.filter { !$0.passed } }
}
