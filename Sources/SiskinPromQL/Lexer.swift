/// Words the lexer recognises outside braces, case-insensitively, as
/// Prometheus' lexer does (`SUM`, `By`, `AND` are keywords too).
enum Keyword: Equatable, Sendable {
    case and, or, unless
    /// A Prometheus operator Siskin does not evaluate.
    case atan2
    case aggregation(Aggregation.Op)
    /// A Prometheus aggregation Siskin does not evaluate (`stddev`, `group`,
    /// …); known so the error can say "not supported" rather than "unknown".
    case unsupportedAggregation
    case offset, by, without, on, ignoring, groupLeft, groupRight, bool

    /// Keywords that Prometheus' grammar also accepts as a metric name
    /// (`metric_identifier`): at the start of an operand `by` or `sum{…}` is a
    /// selector, not a keyword.
    var canNameMetric: Bool {
        switch self {
        case .aggregation, .unsupportedAggregation, .by, .without, .offset, .and, .or, .unless: true
        case .atan2, .on, .ignoring, .groupLeft, .groupRight, .bool: false
        }
    }
}

enum TokenKind: Equatable, Sendable {
    case eof
    /// `[a-zA-Z_][a-zA-Z0-9_]*` that is no keyword (inside braces: any word).
    case identifier
    /// An identifier containing `:` (recording-rule names); never a function.
    case metricIdentifier
    case keyword(Keyword)
    /// `Token.number` holds the value (`inf` and `nan` included).
    case number
    /// `Token.milliseconds` holds the value.
    case duration
    /// `Token.string` holds the unescaped value.
    case string
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
    case comma, colon, at
    case assign, equalEqual, notEqual, regexMatch, regexNoMatch
    case less, lessOrEqual, greater, greaterOrEqual
    case plus, minus, star, slash, percent, caret
}

struct Token: Sendable {
    var kind: TokenKind
    /// Byte offsets of the token's source text: `start..<end`.
    var start: Int
    var end: Int
    var number: Double = 0
    var milliseconds: Int64 = 0
    var string: String = ""
}

/// Splits a query into tokens, one at a time, as the parser asks for them.
///
/// Works on the query's UTF-8 bytes: every decision is an integer compare,
/// and strings are only built for the tokens that carry text. Like
/// Prometheus' lexer it has two modes: inside `{…}` every word is a label
/// name (so `{by="x"}` works) and `=~`/`!~` are tokens; outside, words may
/// be keywords. The parser switches on `bracketOpen` while it reads a range
/// so that `:` there is a token (the start of a subquery) and not the start
/// of a recording-rule name.
struct Lexer {
    let bytes: [UInt8]
    private(set) var position = 0
    private(set) var braceOpen = false
    var bracketOpen = false

    init(_ input: String) {
        bytes = Array(input.utf8)
    }

    /// The byte at `index`, or -1 past the end: callers never index out of bounds.
    @inline(__always) func byte(_ index: Int) -> Int {
        index >= 0 && index < bytes.count ? Int(bytes[index]) : -1
    }

    func text(_ start: Int, _ end: Int) -> String {
        let lower = max(0, min(start, bytes.count))
        let upper = max(lower, min(end, bytes.count))
        return String(decoding: bytes[lower..<upper], as: UTF8.self)
    }

    @inline(never)
    func error(_ message: String, at position: Int) -> ParseFailure {
        ParseFailure(PromQLParseError(message: message, position: position, utf8: bytes))
    }

    /// The Unicode scalar starting at `index`, for error messages.
    func scalar(at index: Int) -> Unicode.Scalar {
        let lead = byte(index)
        let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        return text(index, index + length).unicodeScalars.first ?? "\u{FFFD}"
    }

    mutating func next() throws(ParseFailure) -> Token {
        skipSpaceAndComments()
        let start = position
        let c = byte(start)
        if c < 0 {
            if braceOpen { throw error("unexpected end of input inside braces", at: start) }
            return Token(kind: .eof, start: start, end: start)
        }
        if braceOpen { return try nextInsideBraces(c, start) }

        func single(_ kind: TokenKind) -> Token {
            position = start + 1
            return Token(kind: kind, start: start, end: start + 1)
        }
        func double(_ kind: TokenKind) -> Token {
            position = start + 2
            return Token(kind: kind, start: start, end: start + 2)
        }

        switch c {
        case 0x28: return single(.leftParen)
        case 0x29: return single(.rightParen)
        case 0x7B:
            braceOpen = true
            return single(.leftBrace)
        case 0x7D: return single(.rightBrace)
        case 0x5B: return single(.leftBracket)
        case 0x5D: return single(.rightBracket)
        case 0x2C: return single(.comma)
        case 0x40: return single(.at)
        case 0x2B: return single(.plus)
        case 0x2D: return single(.minus)
        case 0x2A: return single(.star)
        case 0x2F: return single(.slash)
        case 0x25: return single(.percent)
        case 0x5E: return single(.caret)
        case 0x3D:  // =
            let after = byte(start + 1)
            if after == 0x3D { return double(.equalEqual) }
            if after == 0x7E { throw error("unexpected character after '=': '~'", at: start) }
            return single(.assign)
        case 0x21:  // !
            if byte(start + 1) == 0x3D { return double(.notEqual) }
            throw error("unexpected character after '!': \(describeCharacter(at: start + 1))", at: start)
        case 0x3C: return byte(start + 1) == 0x3D ? double(.lessOrEqual) : single(.less)
        case 0x3E: return byte(start + 1) == 0x3D ? double(.greaterOrEqual) : single(.greater)
        case 0x22, 0x27: return try quotedString(start)
        case 0x60: return try rawString(start)
        case 0x3A where bracketOpen: return single(.colon)
        default:
            if isDigit(c) || (c == 0x2E && isDigit(byte(start + 1))) { return try numberOrDuration(start) }
            if isAlpha(c) || c == 0x3A { return word(start) }
            throw error("unexpected character: \(goQuoteRune(scalar(at: start)))", at: start)
        }
    }

    private mutating func nextInsideBraces(_ c: Int, _ start: Int) throws(ParseFailure) -> Token {
        switch c {
        case 0x2C:
            position = start + 1
            return Token(kind: .comma, start: start, end: start + 1)
        case 0x22, 0x27: return try quotedString(start)
        case 0x60: return try rawString(start)
        case 0x3D:
            let regex = byte(start + 1) == 0x7E
            position = start + (regex ? 2 : 1)
            return Token(kind: regex ? .regexMatch : .assign, start: start, end: position)
        case 0x21:
            switch byte(start + 1) {
            case 0x7E:
                position = start + 2
                return Token(kind: .regexNoMatch, start: start, end: position)
            case 0x3D:
                position = start + 2
                return Token(kind: .notEqual, start: start, end: position)
            default:
                throw error("unexpected character after '!' inside braces: \(describeCharacter(at: start + 1))", at: start)
            }
        case 0x7B: throw error("unexpected left brace '{' inside braces", at: start)
        case 0x7D:
            braceOpen = false
            position = start + 1
            return Token(kind: .rightBrace, start: start, end: start + 1)
        default:
            if isAlpha(c) {
                var end = start + 1
                while isAlphaNumeric(byte(end)) { end += 1 }
                position = end
                return Token(kind: .identifier, start: start, end: end)
            }
            throw error("unexpected character inside braces: \(goQuoteRune(scalar(at: start)))", at: start)
        }
    }

    private func describeCharacter(at index: Int) -> String {
        byte(index) < 0 ? "end of input" : goQuoteRune(scalar(at: index))
    }

    /// Skips whitespace and `#` comments (to the end of the line), which may
    /// appear between any two tokens, inside braces too.
    private mutating func skipSpaceAndComments() {
        while true {
            let c = byte(position)
            if isSpace(c) {
                position += 1
            } else if c == 0x23 {
                position += 1
                while true {
                    let d = byte(position)
                    if d < 0 || d == 0x0A || d == 0x0D { break }
                    position += 1
                }
            } else {
                return
            }
        }
    }

    // MARK: Words

    /// An identifier, keyword, metric name with colons, or `Inf`/`NaN`.
    private mutating func word(_ start: Int) -> Token {
        var end = start
        var hasColon = false
        while true {
            let c = byte(end)
            if isAlphaNumeric(c) {
                end += 1
            } else if c == 0x3A {
                hasColon = true
                end += 1
            } else {
                break
            }
        }
        position = end
        if hasColon { return Token(kind: .metricIdentifier, start: start, end: end) }
        // The longest keyword is "count_values" (12 bytes).
        if end - start <= 12 {
            var lowered = ""
            lowered.unicodeScalars.append(contentsOf: bytes[start..<end].lazy.map { byte in
                Unicode.Scalar(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
            })
            if let keyword = Self.keywords[lowered] {
                return Token(kind: .keyword(keyword), start: start, end: end)
            }
            if lowered == "inf" { return Token(kind: .number, start: start, end: end, number: .infinity) }
            if lowered == "nan" { return Token(kind: .number, start: start, end: end, number: .nan) }
        }
        return Token(kind: .identifier, start: start, end: end)
    }

    private static let keywords: [String: Keyword] = {
        var table: [String: Keyword] = [
            "and": .and, "or": .or, "unless": .unless, "atan2": .atan2,
            "offset": .offset, "by": .by, "without": .without, "on": .on, "ignoring": .ignoring,
            "group_left": .groupLeft, "group_right": .groupRight, "bool": .bool,
        ]
        for op in Aggregation.Op.allCases { table[op.rawValue] = .aggregation(op) }
        for name in ["group", "stddev", "stdvar", "count_values", "limitk", "limit_ratio"] {
            table[name] = .unsupportedAggregation
        }
        return table
    }()

    // MARK: Numbers and durations

    /// A number (`1`, `1.5`, `.5`, `5.`, `1e-3`, `0x1F`, `010`) or a duration
    /// (`5m`, `1h30m`): both start with a digit, and which one it is shows
    /// only at the first letter, as in Prometheus' `lexNumberOrDuration`.
    private mutating func numberOrDuration(_ start: Int) throws(ParseFailure) -> Token {
        var index = start
        if byte(index) == 0x30 && (byte(index + 1) | 0x20) == 0x78 {
            return try hexNumber(start)
        }
        var isInteger = true
        while isDigit(byte(index)) { index += 1 }
        if byte(index) == 0x2E {
            isInteger = false
            index += 1
            while isDigit(byte(index)) { index += 1 }
        }
        if (byte(index) | 0x20) == 0x65 {
            let sign = byte(index + 1) == 0x2B || byte(index + 1) == 0x2D ? 1 : 0
            if isDigit(byte(index + 1 + sign)) {
                isInteger = false
                index += 1 + sign
                while isDigit(byte(index)) { index += 1 }
            }
        }
        if isAlphaNumeric(byte(index)) || byte(index) == 0x2E {
            // A letter follows: this is a duration, or nothing valid.
            var end = index
            while isAlphaNumeric(byte(end)) || byte(end) == 0x2E { end += 1 }
            position = end
            if !isAlphaNumeric(byte(index)) {
                throw error("bad number or duration syntax: \(goQuote(text(start, end)))", at: start)
            }
            do {
                let milliseconds = try PromQLDuration.parse(bytes[start..<end])
                return Token(kind: .duration, start: start, end: end, milliseconds: milliseconds)
            } catch {
                throw self.error(error.message, at: start)
            }
        }
        position = index
        let literal = text(start, index)
        var value: Double?
        // Prometheus reads integer literals with Go's ParseInt(s, 0, 64) first,
        // so a leading zero means octal (010 is 8); 09 falls back to decimal.
        if isInteger && literal.utf8.count > 1 && literal.utf8.first == UInt8(ascii: "0") {
            if let octal = Int64(literal, radix: 8) { value = Double(octal) }
        }
        if value == nil { value = Double(literal) }
        guard let value, value.isFinite else {
            throw error("error parsing number \(goQuote(literal)): value out of range", at: start)
        }
        return Token(kind: .number, start: start, end: index, number: value)
    }

    private mutating func hexNumber(_ start: Int) throws(ParseFailure) -> Token {
        var index = start + 2
        while isHexDigit(byte(index)) { index += 1 }
        if isAlphaNumeric(byte(index)) || byte(index) == 0x2E {
            var end = index
            while isAlphaNumeric(byte(end)) || byte(end) == 0x2E { end += 1 }
            position = end
            throw error("bad number or duration syntax: \(goQuote(text(start, end)))", at: start)
        }
        position = index
        let literal = text(start, index)
        guard index > start + 2 else {
            throw error("error parsing number \(goQuote(literal)): invalid syntax", at: start)
        }
        guard let value = Int64(text(start + 2, index), radix: 16) else {
            throw error("error parsing number \(goQuote(literal)): value out of range", at: start)
        }
        return Token(kind: .number, start: start, end: index, number: Double(value))
    }

    // MARK: Strings

    /// A `"…"` or `'…'` string with Go's escapes. The value is sliced
    /// straight from the input unless an escape forces a copy.
    private mutating func quotedString(_ start: Int) throws(ParseFailure) -> Token {
        let quote = byte(start)
        var index = start + 1
        var buffer: [UInt8] = []
        var escaped = false
        var segmentStart = index
        while true {
            let c = byte(index)
            if c < 0 || c == 0x0A { throw error("unterminated quoted string", at: start) }
            if c == quote { break }
            if c == 0x5C {
                escaped = true
                buffer.append(contentsOf: bytes[segmentStart..<index])
                index = try escape(at: index, quote: quote, into: &buffer)
                segmentStart = index
                continue
            }
            index += 1
        }
        let value: String
        if escaped {
            buffer.append(contentsOf: bytes[segmentStart..<index])
            guard let decoded = String(validating: buffer, as: UTF8.self) else {
                throw error("invalid UTF-8 in string literal (from \\x or octal escapes)", at: start)
            }
            value = decoded
        } else {
            value = text(start + 1, index)
        }
        position = index + 1
        return Token(kind: .string, start: start, end: position, string: value)
    }

    /// Decodes the escape at `index` (the backslash) into `out` and returns
    /// the index after it. Go's rules, as Prometheus' `lexEscape`: `\a \b \f
    /// \n \r \t \v \\`, the string's own quote, three octal digits, `\xNN`,
    /// `\uNNNN`, `\UNNNNNNNN`.
    private func escape(at index: Int, quote: Int, into out: inout [UInt8]) throws(ParseFailure) -> Int {
        let c = byte(index + 1)
        let simple: UInt8? = switch c {
        case 0x61: 0x07
        case 0x62: 0x08
        case 0x66: 0x0C
        case 0x6E: 0x0A
        case 0x72: 0x0D
        case 0x74: 0x09
        case 0x76: 0x0B
        case 0x5C: 0x5C
        case quote: UInt8(quote)
        default: nil
        }
        if let simple {
            out.append(simple)
            return index + 2
        }
        let digits: Int, base: Int, maximum: UInt32, first: Int
        switch c {
        case 0x30...0x37: (digits, base, maximum, first) = (3, 8, 255, index + 1)
        case 0x78: (digits, base, maximum, first) = (2, 16, 255, index + 2)
        case 0x75: (digits, base, maximum, first) = (4, 16, 0x10FFFF, index + 2)
        case 0x55: (digits, base, maximum, first) = (8, 16, 0x10FFFF, index + 2)
        case -1, 0x0A: throw error("escape sequence not terminated", at: index)
        default: throw error("unknown escape sequence \(goUnicodeDescription(scalar(at: index + 1)))", at: index)
        }
        var value: UInt32 = 0
        for offset in 0..<digits {
            let d = byte(first + offset)
            let digit = hexValue(d)
            guard digit < base else {
                if d < 0 || d == 0x0A { throw error("escape sequence not terminated", at: index) }
                throw error("illegal character \(goUnicodeDescription(scalar(at: first + offset))) in escape sequence", at: index)
            }
            value = value * UInt32(base) + UInt32(digit)
        }
        guard value <= maximum, !(0xD800..<0xE000).contains(value) else {
            throw error("escape sequence is an invalid Unicode code point", at: index)
        }
        if maximum == 255 {
            out.append(UInt8(value))
        } else if let scalar = Unicode.Scalar(value) {
            out.append(contentsOf: String(Character(scalar)).utf8)
        }
        return first + digits
    }

    /// A `` `…` `` string: no escapes, newlines allowed.
    private mutating func rawString(_ start: Int) throws(ParseFailure) -> Token {
        var index = start + 1
        while true {
            let c = byte(index)
            if c < 0 { throw error("unterminated raw string", at: start) }
            if c == 0x60 { break }
            index += 1
        }
        position = index + 1
        return Token(kind: .string, start: start, end: position, string: text(start + 1, index))
    }
}
