import SiskinPromQL
import Testing

@Suite("Selectors: names, matchers, ranges and offsets")
struct SelectorTests {
    @Test("a metric name becomes a __name__ equality matcher at the front of the matchers")
    func nameMatcherFirst() throws {
        #expect(try parse("up") == vector("up"))
        #expect(try parse(#"up{job="a"}"#) == .vector(VectorSelector(
            name: "up", matchers: [matcher("__name__", .equal, "up"), matcher("job", .equal, "a")])))
        #expect(try parse("job:rate5m:sum") == vector("job:rate5m:sum"))
        #expect(try parse("_private") == vector("_private"))
    }

    @Test("braces alone select by matchers, __name__ included, with no name")
    func bracesOnly() throws {
        #expect(try parse(#"{job="a"}"#) == vector(nil, [matcher("job", .equal, "a")]))
        #expect(try parse(#"{__name__="up"}"#) == .vector(VectorSelector(name: nil, matchers: [matcher("__name__", .equal, "up")])))
        #expect(try parse(#"{__name__=~"istio_.*", job="a"}"#) == vector(nil, [matcher("__name__", .regexMatch, "istio_.*"), matcher("job", .equal, "a")]))
    }

    @Test("all four matcher operators")
    func matcherOperators() throws {
        #expect(try parse(#"x{a="1",b!="2",c=~"3",d!~"4"}"#) == vector("x", [
            matcher("a", .equal, "1"), matcher("b", .notEqual, "2"),
            matcher("c", .regexMatch, "3"), matcher("d", .regexNoMatch, "4"),
        ]))
    }

    @Test("inside braces every word is a label name, keywords included")
    func keywordLabelNames() throws {
        let names = ["by", "sum", "offset", "and", "on", "bool", "inf", "nan", "group_left", "without"]
        let query = "x{" + names.map { "\($0)=\"v\"" }.joined(separator: ",") + "}"
        #expect(try parse(query) == vector("x", names.map { matcher($0, .equal, "v") }))
    }

    @Test("keywords Prometheus accepts as metric names are selectors where an operand starts")
    func keywordMetricNames() throws {
        #expect(try parse("sum") == vector("sum"))
        #expect(try parse(#"sum{job="a"}"#) == vector("sum", [matcher("job", .equal, "a")]))
        #expect(try parse("by + offset") == .binary(Binary(op: .add, lhs: vector("by"), rhs: vector("offset"))))
        #expect(try parse("x or and") == .binary(Binary(op: .or, lhs: vector("x"), rhs: vector("and"))))
        #expect(try parse("stddev[5m]") == matrix("stddev", range: 5 * minute))
        #expect(try parse("offset offset 5m") == vector("offset", offset: 5 * minute))
        expectError("on", "unexpected <on>", at: 0)
        expectError("bool", "unexpected <bool>", at: 0)
    }

    @Test("trailing commas, whitespace, newlines and comments between any tokens")
    func layout() throws {
        #expect(try parse(#"x{a="1",}"#) == vector("x", [matcher("a", .equal, "1")]))
        #expect(try parse(#"{a="1",}"#) == vector(nil, [matcher("a", .equal, "1")]))
        #expect(try parse("x{}") == vector("x"))
        #expect(try parse(#"x { a = "1" , b !~ "2" }"#) == vector("x", [matcher("a", .equal, "1"), matcher("b", .regexNoMatch, "2")]))
        #expect(try parse("x [5m]") == matrix("x", range: 5 * minute))
        #expect(try parse("x[ 5m ]") == matrix("x", range: 5 * minute))
        #expect(try parse("x{a=\"1\"} [5m]") == matrix("x", [matcher("a", .equal, "1")], range: 5 * minute))
        let commented = """
            # error ratio
            sum(
              rate(x{ # the selector
                a="1"
              }[5m]) # per second
            )\t\r
            """
        #expect(try parse(commented) == .aggregate(Aggregation(op: .sum, expr: .call(name: "rate", arguments: [
            matrix("x", [matcher("a", .equal, "1")], range: 5 * minute),
        ]))))
    }

    @Test("offset after an instant or range selector, negative too, stored on the selector")
    func offsets() throws {
        #expect(try parse("x offset 5m") == vector("x", offset: 5 * minute))
        #expect(try parse("x offset -5m") == vector("x", offset: -5 * minute))
        #expect(try parse("x offset - 1h30m") == vector("x", offset: -90 * minute))
        #expect(try parse("x offset 60") == vector("x", offset: minute))
        #expect(try parse("x[5m] offset 1m") == matrix("x", range: 5 * minute, offset: minute))
        #expect(try parse(#"x{a="b"} OFFSET 1d"#) == vector("x", [matcher("a", .equal, "b")], offset: day))
        #expect(try parse("x offset 0s") == vector("x"))
    }

    @Test("offset and ranges only where Prometheus allows them")
    func misplacedModifiers() {
        let offsetMessage = "offset modifier must be preceded by an instant vector selector or range vector selector"
        expectError("rate(x[5m]) offset 1m", offsetMessage, at: 0)
        expectError("(x) offset 1m", offsetMessage, at: 0)
        expectError("1 + sum(x) offset 1m", offsetMessage, at: 4)
        expectError("x offset 1m offset 2m", "offset may not be set multiple times", at: 0)
        expectError("x offset 5m [5m]", "no offset modifiers allowed before range", at: 12)
        expectError("(x)[5m]", "ranges only allowed for vector selectors", at: 3)
        expectError("x[5m][5m]", "ranges only allowed for vector selectors", at: 5)
        expectError("x offset", "unexpected end of input in offset, expected number or duration", at: 8)
        expectError("x offset foo", "unexpected identifier \"foo\" in offset, expected number or duration", at: 9)
        expectError("rate(x[5m])[30m:1m]", "subqueries are not supported by Siskin", at: 11)
        expectError("x @ 1609746000", "the @ modifier is not supported by Siskin", at: 2)
    }

    @Test("a selector without a metric name needs a matcher that does not match the empty string")
    func emptyMatchers() throws {
        let message = "vector selector must contain at least one non-empty matcher"
        for query in [#"{}"#, #"{a=""}"#, #"{a=~".*"}"#, #"{a!="x"}"#, #"{a=~"a|"}"#, #"{a=~"(b)?"}"#,
                      #"{a!~".+"}"#, #"{a=~"x*"}"#, #"{a=~"^$"}"#, #"{a=~"(?i)"}"#, #"{a=~"x{0,3}"}"#,
                      #"{a=~"(|b)c*"}"#, #"{a=~"\\Q\\E"}"#, #"{a=~"\\B"}"#, #"{a="", b=~".*", c!="d"}"#] {
            expectError(query, message, at: 0)
        }
        for query in [#"{a="x"}"#, #"{a!=""}"#, #"{a=~".+"}"#, #"{a=~"a|b"}"#, #"{a!~".*"}"#, #"{a=~"\\d+"}"#,
                      #"{a=~"[4-5]\\d\\d"}"#, #"{a="", b="x"}"#, #"{a=~"\\b"}"#, #"{a=~"x+?"}"#, #"{a=~"(a|)b"}"#,
                      #"{a=~"é*x"}"#, #"{a=~"x{1,3}"}"#, #"{a=~"[]]"}"#, #"{a=~"[[:alpha:]]*z"}"#, #"x{a=""}"#, #"x{a=~".*"}"#] {
            #expect(parseError(query) == nil, "\(query): \(String(describing: parseError(query)))")
        }
    }

    @Test("regexes are checked at parse time, as Prometheus compiles them then")
    func badRegexes() {
        expectError(#"x{a=~"(x"}"#, "error parsing regexp: missing closing ): `(x`", at: 2)
        expectError(#"x{a!~"x)"}"#, "error parsing regexp: unexpected ): `x)`", at: 2)
        expectError(#"x{a=~"*"}"#, "error parsing regexp: missing argument to repetition operator: `*`", at: 2)
        expectError(#"x{a=~"a**"}"#, "error parsing regexp: invalid nested repetition operator: `*`", at: 2)
        expectError(#"x{a=~"[a"}"#, "error parsing regexp: missing closing ]: `[a`", at: 2)
        expectError(#"x{a=~"x{1001}"}"#, "error parsing regexp: invalid repeat count: `{1001}`", at: 2)
        expectError(#"x{a=~"\\"}"#, "error parsing regexp: trailing backslash at end of expression: ``", at: 2)
        expectError(#"x{a=~"(?z)"}"#, "error parsing regexp: invalid or unsupported Perl syntax: `(?z`", at: 2)
        // Deep regex nesting is walked without recursion.
        let deep = String(repeating: "(", count: 20_000) + "a" + String(repeating: ")", count: 20_000)
        #expect(parseError("x{a=~\"\(deep)\"}") == nil)
    }

    @Test("a metric name may be given once")
    func nameTwice() {
        expectError(#"foo{__name__="bar"}"#, "metric name must not be set twice: \"foo\" or \"bar\"", at: 0)
        expectError(#"foo{"bar"}"#, "metric name must not be set twice: \"foo\" or \"bar\"", at: 0)
    }

    @Test("quoted names inside braces, as in Prometheus 3")
    func quotedNames() throws {
        #expect(try parse(#"{"foo.bar"}"#) == .vector(VectorSelector(name: nil, matchers: [matcher("__name__", .equal, "foo.bar")])))
        #expect(try parse(#"{"foo.bar", job="x"}"#) == vector(nil, [matcher("__name__", .equal, "foo.bar"), matcher("job", .equal, "x")]))
        #expect(try parse(#"x{"a.b"="c"}"#) == vector("x", [matcher("a.b", .equal, "c")]))
    }

    @Test("malformed matcher lists fail at the offending token")
    func badMatchers() {
        expectError(#"x{a="b""#, "unexpected end of input inside braces", at: 7)
        expectError(#"x{a=1}"#, "unexpected character inside braces: '1'", at: 4)
        expectError(#"x{a}"#, "unexpected \"}\" in label matching, expected label matching operator", at: 3)
        expectError(#"x{a=}"#, "unexpected \"}\" in label matching, expected string", at: 4)
        expectError(#"x{a="b" c="d"}"#, "unexpected identifier \"c\" in label matching, expected \",\" or \"}\"", at: 8)
        expectError(#"x{a="b",,}"#, "unexpected \",\" in label matching, expected identifier or \"}\"", at: 8)
        expectError(#"x{{"#, "unexpected left brace '{' inside braces", at: 2)
        expectError(#"x{a:b="c"}"#, "unexpected character inside braces: ':'", at: 3)
        expectError(#"x{a!"b"}"#, "unexpected character after '!' inside braces: '\"'", at: 3)
        expectError(#"x{a=="b"}"#, "unexpected \"=\" in label matching, expected string", at: 4)
    }
}
