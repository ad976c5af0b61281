/// A question about one workload over a window: what Flagger asks each
/// analysis step and a person asks during a rollout.
public struct WorkloadQuery: Sendable, Hashable {
    public var namespace: String
    /// `destination_workload` (the Deployment name, e.g. `podinfo-primary`).
    public var workload: String
    /// `destination_canonical_revision`, or every revision when nil.
    public var revision: String?
    /// `destination` (the server side, Flagger's choice) or `source`.
    public var reporter: String
    public var windowMilliseconds: Int64
    /// End of the window (ms since the epoch).
    public var at: Int64

    public init(namespace: String, workload: String, revision: String? = nil, reporter: String = "destination",
                windowMilliseconds: Int64 = 60_000, at: Int64) {
        self.namespace = namespace
        self.workload = workload
        self.revision = revision
        self.reporter = reporter
        self.windowMilliseconds = windowMilliseconds
        self.at = at
    }
}
