/// One output value: a cumulative sum of true increases (or a gauge sum).
///
/// Integer increases accumulate exactly in `integer`; fractional ones in
/// `fraction`. The value is exact as long as nothing fractional was added.
struct Slot {
    var integer: UInt64 = 0
    var fraction: Double = 0
    var hasFraction = false
    var gauge: Double = 0
    var lastTouched: UInt32 = 0

    @inline(__always)
    mutating func addInteger(_ delta: UInt64) {
        let (sum, overflow) = integer.addingReportingOverflow(delta)
        if overflow {
            fraction += Double(delta)
            hasFraction = true
        } else {
            integer = sum
        }
    }

    @inline(__always)
    mutating func addFloat(_ delta: Double) {
        if delta == delta.rounded(.towardZero), delta >= 0, delta < 9_007_199_254_740_992 {
            addInteger(UInt64(delta))
        } else {
            fraction += delta
            hasFraction = true
        }
    }

    var cumulative: SampleValue {
        hasFraction ? .float(Double(integer) + fraction) : .integer(integer)
    }
}
