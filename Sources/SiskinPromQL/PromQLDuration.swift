/// Prometheus duration strings (`5m`, `1h30m`, `500ms`), as
/// `model.ParseDuration` reads and `model.Duration.String` writes them.
///
/// One parser serves the lexer (`[5m]`, `offset 1h`) and callers such as the
/// HTTP API (`step=`, `lookback_delta`), so both accept exactly the same
/// spellings.
public enum PromQLDuration {
    /// The largest duration Prometheus can hold: its durations are Go
    /// `time.Duration`s, nanoseconds in an Int64 (about 292 years).
    public static let maximumMilliseconds: Int64 = Int64.max / 1_000_000

    /// Milliseconds of a Prometheus duration string, or nil if it is not one.
    ///
    /// Units are `y` (365d), `w`, `d`, `h`, `m`, `s`, `ms`; each at most once,
    /// from the largest to the smallest (`1h30m`, never `30m1h`); integers
    /// only. `"0"` alone is zero, as in Prometheus.
    public static func milliseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        do {
            return try parse(bytes[...])
        } catch {
            return nil
        }
    }

    /// Formats milliseconds as Prometheus does: the largest units first, years
    /// and weeks only when they divide the value exactly (`90d`, not `12w6d`),
    /// `0s` for zero; a negative value gets a leading `-`.
    public static func string(milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        // magnitude is UInt64 so Int64.min does not trap.
        var remaining = milliseconds.magnitude
        var result = milliseconds < 0 ? "-" : ""
        let day: UInt64 = 24 * 60 * 60 * 1000
        let units: [(String, UInt64, Bool)] = [
            ("y", 365 * day, true), ("w", 7 * day, true), ("d", day, false),
            ("h", 60 * 60 * 1000, false), ("m", 60 * 1000, false), ("s", 1000, false), ("ms", 1, false),
        ]
        for (unit, size, exactOnly) in units {
            if exactOnly && remaining % size != 0 { continue }
            let count = remaining / size
            if count > 0 {
                result += "\(count)\(unit)"
                remaining -= count * size
            }
        }
        return result
    }

    struct SyntaxError: Error {
        var message: String
    }

    /// Parses a duration as Prometheus' `model.ParseDuration` does, with its
    /// error messages (the lexer reports them verbatim).
    static func parse(_ bytes: ArraySlice<UInt8>) throws(SyntaxError) -> Int64 {
        let original = String(decoding: bytes, as: UTF8.self)
        let invalid = SyntaxError(message: "not a valid duration string: \(goQuote(original))")
        if bytes.count == 1 && bytes.first == UInt8(ascii: "0") { return 0 }
        guard !bytes.isEmpty else { throw SyntaxError(message: "empty duration string") }

        var index = bytes.startIndex
        var total: Int64 = 0
        var lastRank = -1
        while index < bytes.endIndex {
            // A run of digits...
            var value: Int64 = 0
            let digitsStart = index
            while index < bytes.endIndex, isDigit(Int(bytes[index])) {
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = times10.addingReportingOverflow(Int64(bytes[index] - UInt8(ascii: "0")))
                if overflow1 || overflow2 { throw invalid }
                value = next
                index += 1
            }
            guard index > digitsStart else { throw invalid }
            // ...then everything up to the next digit is the unit, as in Go.
            let unitStart = index
            while index < bytes.endIndex, !isDigit(Int(bytes[index])) { index += 1 }
            guard index > unitStart else { throw invalid }
            let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
            guard let (rank, size) = unitTable[unit] else {
                throw SyntaxError(message: "unknown unit \(goQuote(unit)) in duration \(goQuote(original))")
            }
            guard rank > lastRank else { throw invalid }
            lastRank = rank
            guard value <= maximumMilliseconds / size else { throw SyntaxError(message: "duration out of range") }
            total += value * size
            guard total <= maximumMilliseconds else { throw SyntaxError(message: "duration out of range") }
        }
        return total
    }

    /// Unit → (position in the required order, milliseconds).
    private static let unitTable: [String: (Int, Int64)] = [
        "y": (0, 365 * 24 * 60 * 60 * 1000),
        "w": (1, 7 * 24 * 60 * 60 * 1000),
        "d": (2, 24 * 60 * 60 * 1000),
        "h": (3, 60 * 60 * 1000),
        "m": (4, 60 * 1000),
        "s": (5, 1000),
        "ms": (6, 1),
    ]
}
