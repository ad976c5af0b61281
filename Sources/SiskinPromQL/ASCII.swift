// Byte classes and quoting shared by the lexer, the regex checker and the
// printer. Bytes are passed as Int so the lexer can use -1 for "end of
// input" and never index past the end.

@inline(__always) func isDigit(_ c: Int) -> Bool { c >= 0x30 && c <= 0x39 }

@inline(__always) func isLetter(_ c: Int) -> Bool {
    (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
}

/// `[a-zA-Z_]`: what may start a label name or identifier.
@inline(__always) func isAlpha(_ c: Int) -> Bool { isLetter(c) || c == 0x5F }

/// `[a-zA-Z0-9_]`, Prometheus' `isAlphaNumeric`.
@inline(__always) func isAlphaNumeric(_ c: Int) -> Bool { isAlpha(c) || isDigit(c) }

@inline(__always) func isHexDigit(_ c: Int) -> Bool {
    isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
}

@inline(__always) func hexValue(_ c: Int) -> Int {
    if isDigit(c) { return c - 0x30 }
    if c >= 0x41 && c <= 0x46 { return c - 0x41 + 10 }
    if c >= 0x61 && c <= 0x66 { return c - 0x61 + 10 }
    return 16
}

/// PromQL's whitespace: space, tab, newline, carriage return.
@inline(__always) func isSpace(_ c: Int) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

/// True for `[a-zA-Z_][a-zA-Z0-9_]*`, a label name that needs no quotes.
func isPlainLabelName(_ name: String) -> Bool {
    var first = true
    for byte in name.utf8 {
        let c = Int(byte)
        if first ? !isAlpha(c) : !isAlphaNumeric(c) { return false }
        first = false
    }
    return !first
}

/// Quotes like Go's `strconv.Quote` (and so Prometheus' printer): `"` and
/// `\` escaped, control characters as `\n`, `\t`, … or `\xNN`, everything
/// else as is. The result always lexes back to `text`.
func goQuote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{0B}": out += "\\v"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x" + hex(scalar.value, width: 2)
            } else if scalar.value >= 0x80 && scalar.value < 0xA0 {
                out += "\\u" + hex(scalar.value, width: 4)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

/// Go's `%q` of a single rune: `'x'`, `'\n'`, `'\''`.
func goQuoteRune(_ scalar: Unicode.Scalar) -> String {
    switch scalar {
    case "'": return "'\\''"
    case "\"": return "'\"'"
    default:
        let quoted = goQuote(String(Character(scalar)))
        return "'" + quoted.dropFirst().dropLast() + "'"
    }
}

/// Go's `%#U`: `U+0067 'g'`.
func goUnicodeDescription(_ scalar: Unicode.Scalar) -> String {
    let code = "U+" + hex(scalar.value, width: 4)
    if scalar.value < 0x20 || scalar.value == 0x7F || (scalar.value >= 0x80 && scalar.value < 0xA0) { return code }
    return code + " '" + String(Character(scalar)) + "'"
}

func hex(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
