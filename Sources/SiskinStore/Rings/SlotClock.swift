/// Maps time to slots and spreads an interval's increase over the slots it
/// covers, in proportion to the overlap (the increase is assumed to have
/// happened evenly between two pushes).
public struct SlotClock: Sendable, Hashable {
    public let slotMilliseconds: Int64

    public init(slotMilliseconds: Int64) {
        precondition(slotMilliseconds > 0)
        self.slotMilliseconds = slotMilliseconds
    }

    /// The slot holding the instant `t` (a slot covers `(start, end]`, like a
    /// Prometheus range).
    public func slot(containing t: Int64) -> Int64 {
        Self.floorDiv(t - 1, slotMilliseconds)
    }

    public func start(of slot: Int64) -> Int64 { slot * slotMilliseconds }
    public func end(of slot: Int64) -> Int64 { (slot + 1) * slotMilliseconds }

    /// Calls `body(slot, fraction)` for every slot overlapping `(from, to]`;
    /// fractions sum to 1. A zero-length interval puts everything in the slot
    /// holding `to`. Slots before `notBefore` are skipped (their share is
    /// dropped): they are older than any ring holds.
    public func spread(from: Int64, to: Int64, notBefore: Int64 = .min, _ body: (Int64, Double) -> Void) {
        guard to > from else {
            body(slot(containing: to), 1)
            return
        }
        let total = Double(to - from)
        var s = max(slot(containing: from + 1), notBefore)
        let last = slot(containing: to)
        while s <= last {
            let overlap = min(end(of: s), to) - max(start(of: s), from)
            if overlap > 0 { body(s, Double(overlap) / total) }
            s += 1
        }
    }

    /// Calls `body(slot, fraction)` for every slot overlapping the query
    /// window `(from, to]`, with the share of the slot inside the window.
    public func cover(from: Int64, to: Int64, _ body: (Int64, Double) -> Void) {
        guard to > from else { return }
        var s = slot(containing: from + 1)
        let last = slot(containing: to)
        while s <= last {
            let overlap = min(end(of: s), to) - max(start(of: s), from)
            if overlap > 0 { body(s, Double(overlap) / Double(slotMilliseconds)) }
            s += 1
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
