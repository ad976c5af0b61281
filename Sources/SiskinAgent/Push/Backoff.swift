/// Exponential backoff with full jitter, for pushes that failed.
///
/// Full jitter (a uniform wait in [0, cap]) spreads a mesh's agents out after
/// the aggregator comes back, instead of every pod retrying in lockstep.
public struct Backoff: Sendable {
    public var base: Double
    public var maximum: Double
    public private(set) var failures = 0

    public init(base: Double = 1, maximum: Double = 60) {
        self.base = base
        self.maximum = maximum
    }

    /// Records a failure and returns the wait before the next attempt,
    /// at least `atLeast` (a server's `Retry-After`, or a slow floor).
    public mutating func nextDelay<G: RandomNumberGenerator>(atLeast floor: Double = 0, using generator: inout G) -> Double {
        failures += 1
        let exponent = min(failures - 1, 30)
        let cap = min(maximum, base * Double(1 << exponent))
        let jittered = Double.random(in: 0...cap, using: &generator)
        return max(jittered, min(floor, 3600))
    }

    public mutating func nextDelay(atLeast floor: Double = 0) -> Double {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(atLeast: floor, using: &generator)
    }

    public mutating func reset() { failures = 0 }
}
