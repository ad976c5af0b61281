import SiskinPromQL
import Testing

@Suite("Literals: numbers, strings and durations as Prometheus lexes them")
struct LiteralTests {
    @Test("integers, decimals, exponents, hex, octal and leading-dot numbers read as Prometheus reads them",
          arguments: [
              ("1", 1.0), ("42", 42), ("1.5", 1.5), (".5", 0.5), ("5.", 5), ("0.001", 0.001),
              ("1e3", 1000), ("1E3", 1000), ("1e-3", 0.001), ("2.5e+2", 250), (".5e1", 5),
              ("0x1f", 31), ("0X1F", 31), ("0xff", 255), ("0", 0), ("010", 8), ("0755", 493), ("09", 9),
              ("9007199254740993", 9_007_199_254_740_992),
          ])
    func numbers(text: String, value: Double) throws {
        #expect(try parse(text) == .number(value))
    }

    @Test("Inf and NaN are numbers in any case, signed by unary operators")
    func specialNumbers() throws {
        #expect(try parse("Inf") == .number(.infinity))
        #expect(try parse("inf") == .number(.infinity))
        #expect(try parse("INF") == .number(.infinity))
        #expect(try parse("+Inf") == .number(.infinity))
        #expect(try parse("-Inf") == .number(-.infinity))
        for text in ["NaN", "nan", "NAN", "-NaN"] {
            guard case .number(let value) = try parse(text) else {
                Issue.record("\(text) is not a number")
                continue
            }
            #expect(value.isNaN)
        }
    }

    @Test("a sign on a number literal folds into it; on anything else it stays an operator")
    func signsFold() throws {
        #expect(try parse("-1") == .number(-1))
        #expect(try parse("+1") == .number(1))
        #expect(try parse("- 2") == .number(-2))
        #expect(try parse("--3") == .number(3))
        #expect(try parse("-(1)") == .unary(negate: true, .parenthesized(.number(1))))
        #expect(try parse("-x") == .unary(negate: true, vector("x")))
        #expect(try parse("+x") == .unary(negate: false, vector("x")))
    }

    @Test("a duration where a number goes is its length in seconds, as in Prometheus 3")
    func durationsAsNumbers() throws {
        #expect(try parse("5m") == .number(300))
        #expect(try parse("1h30m") == .number(5400))
        #expect(try parse("500ms") == .number(0.5))
        #expect(try parse("time() - 1h") == .binary(Binary(op: .subtract, lhs: .call(name: "time", arguments: []), rhs: .number(3600))))
    }

    @Test("malformed numbers are errors, never guesses")
    func badNumbers() {
        expectError("1.2.3", "bad number or duration syntax: \"1.2.3\"", at: 0)
        expectError("0x1g", "bad number or duration syntax: \"0x1g\"", at: 0)
        expectError("0x", "error parsing number \"0x\": invalid syntax", at: 0)
        expectError("0x1.5", "bad number or duration syntax: \"0x1.5\"", at: 0)
        expectError("1e400", "error parsing number \"1e400\": value out of range", at: 0)
        expectError("0xffffffffffffffffff", "error parsing number \"0xffffffffffffffffff\": value out of range", at: 0)
        expectError("1 + 5x", "unknown unit \"x\" in duration \"5x\"", at: 4)
    }

    @Test("double, single and backtick strings; backtick strings are raw")
    func stringForms() throws {
        #expect(try parse(#""double""#) == .string("double"))
        #expect(try parse("'single'") == .string("single"))
        #expect(try parse(#"`raw \n "quoted" 'x'`"#) == .string(#"raw \n "quoted" 'x'"#))
        #expect(try parse("`two\nlines`") == .string("two\nlines"))
        #expect(try parse(#""""#) == .string(""))
        #expect(try parse(#""é ünïcode 😀""#) == .string("é ünïcode 😀"))
    }

    @Test("Go escapes in quoted strings: control letters, the string's own quote, octal, \\x, \\u, \\U")
    func escapes() throws {
        #expect(try parse(#""a\nb\tc\\d\"e""#) == .string("a\nb\tc\\d\"e"))
        #expect(try parse(#"'it\'s'"#) == .string("it's"))
        #expect(try parse(#""\a\b\f\r\v""#) == .string("\u{07}\u{08}\u{0C}\r\u{0B}"))
        #expect(try parse(#""\x41\101\u00e9\U0001F600""#) == .string("AAé😀"))
        #expect(try parse(#""\xc3\xa9""#) == .string("é"))
        #expect(try parse(#"'"'"#) == .string("\""))
        #expect(try parse(#""'""#) == .string("'"))
    }

    @Test("bad strings fail where the problem is")
    func badStrings() {
        expectError(#""abc"#, "unterminated quoted string", at: 0)
        expectError("x + 'abc", "unterminated quoted string", at: 4)
        expectError("\"a\nb\"", "unterminated quoted string", at: 0)
        expectError("`abc", "unterminated raw string", at: 0)
        expectError(#""a\qb""#, "unknown escape sequence U+0071 'q'", at: 2)
        expectError(#"'\"'"#, "unknown escape sequence U+0022 '\"'", at: 1)
        expectError(#""\'""#, "unknown escape sequence U+0027 '''", at: 1)
        expectError(#""\x4""#, "illegal character U+0022 '\"' in escape sequence", at: 1)
        expectError(#""\400""#, "escape sequence is an invalid Unicode code point", at: 1)
        expectError(#""\uD800""#, "escape sequence is an invalid Unicode code point", at: 1)
        expectError(#""\U00110000""#, "escape sequence is an invalid Unicode code point", at: 1)
        expectError(#""\"#, "escape sequence not terminated", at: 1)
        expectError(#""\xff""#, "invalid UTF-8 in string literal (from \\x or octal escapes)", at: 0)
    }

    static let durations: [(String, Int64)] = {
        let all: Int64 = 382 * day + 4 * hour + 5 * minute + 6 * second + 7
        return [
            ("5m", 5 * minute), ("1m30s", 90 * second), ("1h", hour), ("2d", 2 * day), ("1w", 7 * day),
            ("1y", 365 * day), ("500ms", 500), ("1s500ms", 1500), ("90s", 90 * second), ("1y2w3d4h5m6s7ms", all),
            ("300", 300 * second), ("1.5", 1500), ("0x10", 16 * second),
        ]
    }()

    @Test("range durations in every unit and combination, largest unit first", arguments: LiteralTests.durations)
    func rangeDurations(text: String, milliseconds: Int64) throws {
        #expect(try parse("x[\(text)]") == matrix("x", range: milliseconds))
    }

    @Test("malformed durations are errors with Prometheus' messages")
    func badDurations() {
        expectError("x[1m1h]", "not a valid duration string: \"1m1h\"", at: 2)
        expectError("x[1m1m]", "not a valid duration string: \"1m1m\"", at: 2)
        expectError("x[5q]", "unknown unit \"q\" in duration \"5q\"", at: 2)
        expectError("x[5M]", "unknown unit \"M\" in duration \"5M\"", at: 2)
        expectError("x[1.5m]", "unknown unit \".\" in duration \"1.5m\"", at: 2)
        expectError("x[300y]", "duration out of range", at: 2)
        expectError("x[0s]", "range selector duration must be greater than 0", at: 2)
        expectError("x[5m", "unclosed left bracket", at: 4)
        expectError("x[]", "unexpected \"]\" in range selector, expected number or duration", at: 2)
        expectError("x[-5m]", "unexpected <op:-> in range selector, expected number or duration", at: 2)
        expectError("x[5m 1m]", "unexpected duration \"1m\" in range selector, expected \"]\"", at: 5)
        expectError("x[Inf]", "duration out of range", at: 2)
    }

    @Test("PromQLDuration reads Prometheus duration strings and nothing else")
    func durationHelper() {
        #expect(PromQLDuration.milliseconds("5m") == 300_000)
        #expect(PromQLDuration.milliseconds("1h30m") == 5_400_000)
        #expect(PromQLDuration.milliseconds("1d") == 86_400_000)
        #expect(PromQLDuration.milliseconds("15s") == 15_000)
        #expect(PromQLDuration.milliseconds("100ms") == 100)
        #expect(PromQLDuration.milliseconds("0") == 0)
        #expect(PromQLDuration.milliseconds("0s") == 0)
        #expect(PromQLDuration.milliseconds("292y") == 292 * 365 * day)
        for bad in ["", "5", "m", "1m1h", "5M", "-5m", "1.5h", "293y", "5m ", " 5m", "1h1h", "99999999999999999999s"] {
            #expect(PromQLDuration.milliseconds(bad) == nil, "\(bad)")
        }
    }

    @Test("PromQLDuration writes durations as Prometheus does: years and weeks only when exact")
    func durationFormatting() {
        #expect(PromQLDuration.string(milliseconds: 0) == "0s")
        #expect(PromQLDuration.string(milliseconds: 90 * second) == "1m30s")
        #expect(PromQLDuration.string(milliseconds: 90 * day) == "90d")
        #expect(PromQLDuration.string(milliseconds: 14 * day) == "2w")
        #expect(PromQLDuration.string(milliseconds: 365 * day) == "1y")
        #expect(PromQLDuration.string(milliseconds: 1500) == "1s500ms")
        #expect(PromQLDuration.string(milliseconds: -5 * minute) == "-5m")
        #expect(PromQLDuration.string(milliseconds: 25 * hour) == "1d1h")
        #expect(!PromQLDuration.string(milliseconds: .min).isEmpty)
        for milliseconds: Int64 in [1, 999, 1000, 61_000, 3_600_001, 8 * day, 400 * day, 730 * day] {
            #expect(PromQLDuration.milliseconds(PromQLDuration.string(milliseconds: milliseconds)) == milliseconds)
        }
    }
}
