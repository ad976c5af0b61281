#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sample values and timestamps, parsed from bytes.
///
/// Plain integers (what Envoy prints for counters) take a fast exact path and
/// stay exact up to `UInt64.max`; everything else (`1.5e3`, `NaN`, `+Inf`,
/// `-Inf`, hex floats) goes through `strtod` as Go's `ParseFloat` would.
enum NumberParsing {
    /// Parses a value token. `integer` is set when the token is a plain
    /// non-negative integer that fits in 64 bits.
    static func parseValue(
        _ p: UnsafePointer<UInt8>, count: Int, into value: inout Double, integer: inout UInt64?
    ) -> Bool {
        guard count > 0 else { return false }
        if count <= 20 {
            var acc: UInt64 = 0
            var i = 0
            var exact = true
            while i < count {
                let d = p[i] &- UInt8(ascii: "0")
                if d >= 10 { exact = false; break }
                let (m, o1) = acc.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(d))
                if o1 || o2 { exact = false; break }
                acc = a
                i += 1
            }
            if exact {
                value = Double(acc)
                integer = acc
                return true
            }
        }
        integer = nil
        return parseDouble(p, count: count, into: &value)
    }

    /// `strtod` over a bounded, NUL-terminated copy; the whole token must be
    /// consumed. Accepts NaN/Inf spellings case-insensitively, as Go does.
    static func parseDouble(_ p: UnsafePointer<UInt8>, count: Int, into value: inout Double) -> Bool {
        guard count > 0, count < 64 else { return false }
        // Reject spellings strtod takes but Prometheus does not ("infinity" is
        // fine in Go; leading/trailing blanks are not in a token anyway).
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            for i in 0..<count { buffer[i] = CChar(bitPattern: p[i]) }
            buffer[count] = 0
            var endPointer: UnsafeMutablePointer<CChar>? = nil
            let parsed = strtod(buffer.baseAddress!, &endPointer)
            guard let endPointer, endPointer - buffer.baseAddress! == count else { return false }
            value = parsed
            return true
        }
    }

    /// Timestamp in milliseconds: an integer (text format) or float seconds
    /// with a fraction (OpenMetrics).
    static func parseTimestamp(_ p: UnsafePointer<UInt8>, count: Int) -> Int64? {
        guard count > 0, count < 32 else { return nil }
        var i = 0
        var negative = false
        if p[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        var acc: Int64 = 0
        var allDigits = i < count
        while i < count {
            let d = p[i] &- UInt8(ascii: "0")
            if d >= 10 { allDigits = false; break }
            let (m, o1) = acc.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            acc = a
            i += 1
        }
        if allDigits { return negative ? -acc : acc }
        var seconds = 0.0
        guard parseDouble(p, count: count, into: &seconds), seconds.isFinite,
              abs(seconds) < 9.2e15
        else { return nil }
        return Int64((seconds * 1000).rounded())
    }
}
