import SiskinCanary
import SiskinSync
import Synchronization

/// The last judge calls per canary, in memory only (a restart forgets them):
/// for `GET /api/v1/siskin/canary/history`, a UI and the demo. Bounded twice:
/// `perCanary` entries per canary, and `canaries` canaries, dropping the one
/// judged least recently when a new one arrives.
public final class CanaryHistory: Sendable {
    public let perCanary: Int
    public let canaries: Int

    private struct Key: Hashable {
        var namespace: String
        var canary: String
    }

    private struct State {
        var entries: [Key: [CanaryHistoryEntry]] = [:]
        /// Sequence number of each canary's latest entry, for eviction.
        var lastTouched: [Key: UInt64] = [:]
        var sequence: UInt64 = 0
    }

    private let state = Mutex(State())

    public init(perCanary: Int = 50, canaries: Int = 64) {
        self.perCanary = max(1, perCanary)
        self.canaries = max(1, canaries)
    }

    public func record(_ entry: CanaryHistoryEntry) {
        let key = Key(namespace: entry.judgement.namespace, canary: entry.judgement.canary)
        state.locked { state in
            state.sequence += 1
            if state.entries[key] == nil, state.entries.count >= canaries,
               let oldest = state.lastTouched.min(by: { $0.value < $1.value })?.key {
                state.entries[oldest] = nil
                state.lastTouched[oldest] = nil
            }
            var list = state.entries[key] ?? []
            list.append(entry)
            if list.count > perCanary { list.removeFirst(list.count - perCanary) }
            state.entries[key] = list
            state.lastTouched[key] = state.sequence
        }
    }

    /// Canaries matching the filters (nil: any), sorted by namespace and
    /// canary, each with its entries oldest first.
    public func snapshot(namespace: String? = nil, canary: String? = nil) -> CanaryHistoryReport {
        let selected = state.locked { state in
            state.entries.filter { key, _ in
                (namespace == nil || key.namespace == namespace) && (canary == nil || key.canary == canary)
            }
        }
        return CanaryHistoryReport(canaries: selected
            .sorted { ($0.key.namespace, $0.key.canary) < ($1.key.namespace, $1.key.canary) }
            .map { CanaryHistoryReport.Canary(namespace: $0.key.namespace, canary: $0.key.canary, entries: $0.value) })
    }
}

/// One judge call: when, who asked, and the judgement.
public struct CanaryHistoryEntry: Sendable, Equatable, Codable {
    /// The Flagger webhook's envelope, when Flagger asked.
    public struct Flagger: Sendable, Equatable, Codable {
        /// The Canary resource's name (and namespace, which may differ from
        /// the judged one when overridden in the metadata).
        public var name: String
        public var namespace: String
        public var phase: String?
        public var checksum: String?

        public init(name: String, namespace: String, phase: String?, checksum: String?) {
            self.name = name
            self.namespace = namespace
            self.phase = phase
            self.checksum = checksum
        }
    }

    /// When the judge ran, Unix seconds.
    public var judgedAt: Double
    /// `flagger` (the webhook) or `api` (`GET …/canary/judge`, `siskin canary judge`).
    public var source: String
    public var flagger: Flagger?
    /// The HTTP status answered: Flagger advances on 200…202 only.
    public var status: Int
    /// The canary's traffic weight in percent, when the caller said
    /// (metadata or query key `canaryWeight`; Flagger's payload lacks it).
    public var canaryWeight: Int?
    public var judgement: CanaryJudgement

    public init(judgedAt: Double, source: String, flagger: Flagger?, status: Int, canaryWeight: Int? = nil,
                judgement: CanaryJudgement) {
        self.judgedAt = judgedAt
        self.source = source
        self.flagger = flagger
        self.status = status
        self.canaryWeight = canaryWeight
        self.judgement = judgement
    }
}

/// The answer of `GET /api/v1/siskin/canary/history`.
public struct CanaryHistoryReport: Sendable, Equatable, Codable {
    public struct Canary: Sendable, Equatable, Codable {
        public var namespace: String
        /// The canary workload.
        public var canary: String
        /// Oldest first.
        public var entries: [CanaryHistoryEntry]
    }

    public var canaries: [Canary]
}
