import SiskinAggregation
import SiskinPromQL
import SiskinStore

/// Evaluates PromQL over the store, as a Prometheus server would over its
/// samples. The differences that follow from storing increases rather than
/// samples are written down in docs/promql.md.
public struct PromQLEngine: Sendable {
    /// Most points a range query may return per series (Prometheus' limit).
    public static let maxPointsPerSeries = 11_000

    public init() {}

    /// The value of `expr` at `time` (ms since the epoch).
    /// `timeout` (seconds) bounds the evaluation: past it, a `timeout` error.
    public func instant(_ expr: Expr, at time: Int64, store: borrowing WindowedStore, now: Int64,
                        timeout: Double? = nil) throws(PromQLError) -> PromValue {
        let evaluator = Evaluator(store: copy store, now: now, deadline: Deadline(seconds: timeout), clocks: store.clocks(now: now))
        return try evaluator.evaluate(expr, at: time)
    }

    /// `expr` evaluated at every `step` from `start` to `end` (ms), as a
    /// matrix (a scalar expression gives one series without labels).
    public func range(_ expr: Expr, start: Int64, end: Int64, step: Int64, store: borrowing WindowedStore,
                      now: Int64, timeout: Double? = nil) throws(PromQLError) -> PromValue {
        guard step > 0 else { throw PromQLError(.badData, "zero or negative query resolution step widths are not accepted. Try a positive integer") }
        guard end >= start else { throw PromQLError(.badData, "end timestamp must not be before start time") }
        guard (end - start) / step < Int64(Self.maxPointsPerSeries) else {
            throw PromQLError(.badData, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        let evaluator = Evaluator(store: copy store, now: now, deadline: Deadline(seconds: timeout), clocks: store.clocks(now: now))
        var series: [String: PromSeries] = [:]
        var order: [String] = []
        var t = start
        while t <= end {
            try evaluator.deadline.check()
            switch try evaluator.evaluate(expr, at: t) {
            case .scalar(let v):
                if series[""] == nil { series[""] = PromSeries(labels: [], points: []); order.append("") }
                series[""]!.points.append((t, v))
            case .vector(let samples):
                for sample in samples {
                    let key = LabelSet.key(sample.labels)
                    if series[key] == nil { series[key] = PromSeries(labels: sample.labels, points: []); order.append(key) }
                    series[key]!.points.append((t, sample.value))
                }
            case .string, .matrix:
                throw PromQLError(.badData, "invalid expression type \"\(try evaluator.evaluate(expr, at: t).typeName)\" for range query, must be Scalar or instant Vector")
            }
            t += step
        }
        return .matrix(order.compactMap { series[$0] }.sorted { LabelSet.key($0.labels) < LabelSet.key($1.labels) })
    }
}

/// One query's evaluation state.
struct Evaluator {
    let store: WindowedStore
    let now: Int64
    let deadline: Deadline
    /// Computed once per query: every selector's window ends there.
    let watermark: Int64
    /// The newest push's time, also once per query (it picks each window's level).
    let latestData: Int64

    init(store: WindowedStore, now: Int64, deadline: Deadline, clocks: (watermark: Int64, latestData: Int64)) {
        self.store = store
        self.now = now
        self.deadline = deadline
        self.watermark = clocks.watermark
        self.latestData = clocks.latestData
    }

    func evaluate(_ expr: Expr, at t: Int64) throws(PromQLError) -> PromValue {
        try deadline.check()
        switch expr {
        case .number(let v): return .scalar(v)
        case .string(let s): return .string(s)
        case .parenthesized(let inner): return try evaluate(inner, at: t)
        case .unary(let negate, let inner):
            let value = try evaluate(inner, at: t)
            guard negate else { return value }
            switch value {
            case .scalar(let v): return .scalar(-v)
            case .vector(let samples): return .vector(samples.map { PromSample(labels: LabelSet.dropName($0.labels), value: -$0.value) })
            default: throw PromQLError(.badData, "unary minus applies to scalars and instant vectors")
            }
        case .vector(let selector):
            return .vector(try instantSelector(selector, at: t))
        case .matrix:
            throw PromQLError(.badData, "a range vector can only be an argument of rate, irate or increase here")
        case .call(let name, let arguments):
            return try call(name, arguments, at: t)
        case .aggregate(let aggregation):
            return try aggregate(aggregation, at: t)
        case .binary(let binary):
            return try self.binary(binary, at: t)
        }
    }

    func vector(_ expr: Expr, at t: Int64) throws(PromQLError) -> [PromSample] {
        switch try evaluate(expr, at: t) {
        case .vector(let samples): return samples
        case let other: throw PromQLError(.badData, "expected instant vector, got \(other.typeName)")
        }
    }

    func scalar(_ expr: Expr, at t: Int64) throws(PromQLError) -> Double {
        switch try evaluate(expr, at: t) {
        case .scalar(let v): return v
        case let other: throw PromQLError(.badData, "expected scalar, got \(other.typeName)")
        }
    }

    // MARK: Selectors

    /// Level for a window: pod detail when it reaches back far enough,
    /// rollups (without `pod`) beyond.
    func level(forWindowEndingAt end: Int64, range: Int64) -> SeriesLevel {
        let latest = latestData == .min ? now : latestData
        return latest - (end - range) <= store.configuration.detailRetentionMilliseconds ? .pod : .rollup
    }

    /// An instant selector: gauges read their latest value; counters and
    /// histogram parts read the count held since the series' history in the
    /// store began (not Envoy's raw counter: see docs/promql.md).
    func instantSelector(_ selector: VectorSelector, at t: Int64) throws(PromQLError) -> [PromSample] {
        let at = t - selector.offsetMilliseconds
        let selection = SeriesSelection(store: store, level: .pod)
        guard let covered = store.coveredRange(from: at - store.configuration.detailRetentionMilliseconds, to: at,
                                               level: .pod, watermark: watermark)
        else { return [] }
        var out: [PromSample] = []
        var totals: [Int: [Double]] = [:]
        for s in try selection.select(selector) {
            let stored = store.stored(.pod, s.id)
            guard stored.owner >= 0 || stored.lastWrite > covered.from else { continue }
            if stored.kind == .gauge {
                if let v = store.latestGauge(s.id, at: at) { out.append(PromSample(labels: s.labels, value: v)) }
                continue
            }
            if totals[s.id] == nil { totals[s.id] = store.total(.pod, s.id, from: covered.from, to: covered.to) }
            out.append(PromSample(labels: s.labels, value: totals[s.id]![s.index]))
        }
        return out
    }

    enum RangeFunction {
        case rate, increase, irate

        /// The function a PromQL call names; nil for any other.
        init?(functionName: String) {
            switch functionName {
            case "rate": self = .rate
            case "increase": self = .increase
            case "irate": self = .irate
            default: return nil
            }
        }
    }

    /// `rate`, `increase` and `irate` over a range selector: the increase
    /// held in the covered part of the window, per second (times the range
    /// for `increase`); `irate` reads the last slot only.
    /// `keeping`: only these labels in the samples (`SeriesSelection.select`).
    func rangeFunction(_ function: RangeFunction, _ selector: VectorSelector, range: Int64, at t: Int64,
                       keeping: [String]? = nil) throws(PromQLError) -> [PromSample] {
        let end = t - selector.offsetMilliseconds
        let level = level(forWindowEndingAt: end, range: range)
        guard var covered = store.coveredRange(from: end - range, to: end, level: level, watermark: watermark) else { return [] }
        if function == .irate {
            let clock = level == .pod ? store.clock : store.rollupClock
            covered.from = max(covered.from, covered.to - clock.slotMilliseconds)
        }
        // As Prometheus: the increase divided by the whole range, so a window
        // reaching back before the data (a new pod, a new series, a store
        // that just started) is not scaled up. Only the end, still arriving,
        // is extrapolated: the divisor stops at the covered end.
        let windowStart = function == .irate ? covered.from : end - range
        let seconds = Double(covered.to - windowStart) / 1000
        guard seconds > 0, covered.to > covered.from else { return [] }
        let selection = SeriesSelection(store: store, level: level)
        // A histogram's buckets come one after another: its totals are summed
        // once and kept for the next bucket; the dictionary serves series
        // selected again under another name (`_sum`, `_count`).
        var totals: [Int: [Double]] = [:]
        var last: (id: Int, totals: [Double]) = (-1, [])
        var out: [PromSample] = []
        try deadline.check()
        for s in try selection.select(selector, withName: false, keeping: keeping) {
            let stored = store.stored(level, s.id)
            guard stored.kind != .gauge else { continue }
            // A series that stopped before the window has no samples in it.
            guard (level == .rollup ? stored.owner > 0 : stored.owner >= 0) || stored.lastWrite > covered.from else { continue }
            if last.id != s.id {
                if let known = totals[s.id] {
                    last = (s.id, known)
                } else {
                    last = (s.id, store.total(level, s.id, from: covered.from, to: covered.to))
                    totals[s.id] = last.totals
                }
            }
            let rate = last.totals[s.index] / seconds
            let value = function == .increase ? rate * Double(range) / 1000 : rate
            out.append(PromSample(labels: s.labels, value: value))
        }
        return out
    }
}

/// When an evaluation must give up (Prometheus' `timeout` parameter).
struct Deadline {
    private let end: ContinuousClock.Instant?

    init(seconds: Double?) {
        if let seconds, seconds.isFinite, seconds >= 0 {
            end = .now + .milliseconds(Int64(seconds * 1000))
        } else {
            end = nil
        }
    }

    func check() throws(PromQLError) {
        if let end, ContinuousClock.now > end {
            throw PromQLError(.timeout, "query timed out in expression evaluation")
        }
    }
}
