import SiskinAggregation
import SiskinIngest

/// Feeds summaries to a `PodStream` the way the store does (first push is a
/// baseline, the rest advance it) and keeps the slot → series map, so tests
/// read increments by series key. A class, so pushes read naturally inside
/// `#expect` and `#require`.
final class StreamHarness {
    private(set) var stream: PodStream?
    private(set) var keys: [Int: SeriesKey] = [:]

    /// One accepted push, with its increments keyed by series.
    struct Pushed {
        var increments: PushIncrements
        var values: [SeriesKey: [Double]]
        var newKeys: Set<SeriesKey>
        var retiredKeys: Set<SeriesKey>

        var kind: PushIncrements.Kind { increments.kind }
        var resets: Int { increments.resets }
    }

    func push(_ summary: PodSummary) -> Result<Pushed, PodStream.Ignored> {
        let result: PushIncrements
        if var existing = stream {
            switch existing.advance(summary) {
            case .failure(let ignored):
                stream = existing
                return .failure(ignored)
            case .success(let increments):
                result = increments
            }
            stream = existing
        } else {
            var first = PodStream(first: summary)
            result = first.baseline(summary)
            stream = first
        }
        var retiredKeys: Set<SeriesKey> = []
        for slot in result.retired {
            if let key = keys.removeValue(forKey: slot) { retiredKeys.insert(key) }
        }
        for new in result.newSeries { keys[new.slot] = new.key }
        var values: [SeriesKey: [Double]] = [:]
        for increment in result.increments {
            let key = keys[increment.slot]!
            precondition(values[key] == nil, "one increment per series and push")
            values[key] = Array(result.values(of: increment))
        }
        return .success(Pushed(increments: result, values: values, newKeys: Set(result.newSeries.map(\.key)),
                               retiredKeys: retiredKeys))
    }

    /// Pushes a summary; nil when it was ignored (use with `#require`).
    func accept(_ summary: PodSummary) -> Pushed? {
        switch push(summary) {
        case .success(let pushed): return pushed
        case .failure: return nil
        }
    }
}

extension StreamHarness {
    /// Pushes a summary; why it was ignored, or nil when it was applied.
    func ignored(_ summary: PodSummary) -> PodStream.Ignored? {
        if case .failure(let reason) = push(summary) { return reason }
        return nil
    }
}
