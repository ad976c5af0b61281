/// Low-level appenders for building the exposition body directly as bytes.
///
/// A large scrape is ~7.5 MB; building it through `String` interpolation would allocate per
/// line. Everything here appends into one growing `[UInt8]` instead.
extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of a static string.
    mutating func appendStatic(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends the UTF-8 bytes of a string.
    mutating func appendString(_ text: String) {
        append(contentsOf: text.utf8)
    }

    /// Appends `value` in decimal without allocating.
    mutating func appendDecimal(_ value: UInt64) {
        if value < 10 {
            append(UInt8(48 + value))
            return
        }
        let start = count
        var v = value
        while v > 0 {
            append(UInt8(48 + v % 10))
            v /= 10
        }
        var lo = start
        var hi = count - 1
        while lo < hi {
            swapAt(lo, hi)
            lo += 1
            hi -= 1
        }
    }

    /// Appends a signed decimal.
    mutating func appendDecimal(_ value: Int64) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            appendDecimal(value.magnitude)
        } else {
            appendDecimal(UInt64(value))
        }
    }

    /// Appends a fixed-point number kept as hundredths, the way the fixture prints
    /// histogram sums: "389596.47", "2072.5", "165" (no trailing zeros, no exponent).
    mutating func appendHundredths(_ hundredths: UInt64) {
        appendDecimal(hundredths / 100)
        let fraction = hundredths % 100
        guard fraction != 0 else { return }
        append(UInt8(ascii: "."))
        append(UInt8(48 + fraction / 10))
        if fraction % 10 != 0 {
            append(UInt8(48 + fraction % 10))
        }
    }

    /// Appends a label value escaped as the text format requires: `\` → `\\`,
    /// `"` → `\"`, newline → `\n`.
    mutating func appendEscapedLabelValue(_ value: String) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"):
                append(UInt8(ascii: "\\"))
                append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\""):
                append(UInt8(ascii: "\\"))
                append(UInt8(ascii: "\""))
            case UInt8(ascii: "\n"):
                append(UInt8(ascii: "\\"))
                append(UInt8(ascii: "n"))
            default:
                append(byte)
            }
        }
    }
}
