import SiskinPromQL
import Testing

@Suite("Errors: Prometheus' messages, with byte position, line and column")
struct ErrorTests {
    @Test("an empty query, or only whitespace and comments, has no expression")
    func empty() {
        for query in ["", "   ", "\n\t", "# just a comment", "  # comment\n# another\n"] {
            expectError(query, "no expression found in input", at: 0)
        }
    }

    @Test("an unclosed brace fails at the end of input")
    func unclosedBrace() throws {
        let error = try #require(parseError(#"rate(x{a="b""#))
        #expect(error.message == "unexpected end of input inside braces")
        #expect(error.position == 12)
        #expect(error.description == "1:13: parse error: unexpected end of input inside braces")
        expectError("{", "unexpected end of input inside braces", at: 1)
    }

    @Test("unclosed and stray parentheses")
    func parentheses() {
        expectError("sum(rate(x[5m])", "unclosed left parenthesis", at: 15)
        expectError("(x", "unclosed left parenthesis", at: 2)
        expectError("(x y)", "unexpected identifier \"y\", expected \")\"", at: 3)
        expectError("x)", "unexpected right parenthesis ')'", at: 1)
        expectError(")", "unexpected right parenthesis ')'", at: 0)
        expectError("()", "unexpected \")\"", at: 1)
    }

    @Test("a bad duration fails at the duration")
    func badDuration() {
        expectError("rate(x[5q])", "unknown unit \"q\" in duration \"5q\"", at: 7)
        expectError("x offset 1m1h", "not a valid duration string: \"1m1h\"", at: 9)
    }

    @Test("an unknown function fails at its name")
    func unknownFunction() {
        expectError("1 + foo(bar)", "unknown function with name \"foo\"", at: 4)
    }

    @Test("a wrongly typed argument fails at the argument")
    func wrongArgumentType() {
        expectError("sum(rate(x))", "expected type range vector in call to function \"rate\", got instant vector", at: 9)
    }

    @Test("trailing garbage fails at the first token that cannot follow")
    func trailingGarbage() {
        expectError("sum(x) foo", "unexpected identifier \"foo\"", at: 7)
        expectError("x 1", "unexpected number \"1\"", at: 2)
        expectError("x 'a string literal'", "unexpected string \"'a string \"...", at: 2)
        expectError("x }", "unexpected \"}\"", at: 2)
        expectError("x ]", "unexpected \"]\"", at: 2)
        expectError("x,y", "unexpected \",\"", at: 1)
        expectError("1 +", "unexpected end of input", at: 3)
        expectError("* 1", "unexpected <op:*>", at: 0)
        expectError("x $ y", "unexpected character: '$'", at: 2)
        expectError("x =~ y", "unexpected character after '=': '~'", at: 2)
        expectError("x ! y", "unexpected character after '!': ' '", at: 2)
        expectError("x = y", "unexpected \"=\"", at: 2)
        expectError("x\u{0}", "unexpected character: '\\x00'", at: 1)
        expectError("x é", "unexpected character: 'é'", at: 2)
    }

    @Test("syntax errors win over type errors anywhere in the query, as in Prometheus")
    func syntaxBeforeTypes() {
        expectError("rate(x) +", "unexpected end of input", at: 9)
        expectError("rate(x) + rate(y[5m]", "unclosed left parenthesis", at: 20)
    }

    @Test("lines and columns count from 1, columns in bytes")
    func lineAndColumn() throws {
        let error = try #require(parseError("sum(\n  rate(x)\n)"))
        #expect(error.position == 12)
        #expect(error.line == 2)
        #expect(error.column == 8)
        #expect(error.description == #"2:8: parse error: expected type range vector in call to function "rate", got instant vector"#)
        let multibyte = try #require(parseError(#"{a="é"} +"#))
        #expect(multibyte.column == 11)
        #expect(PromQLParseError(message: "m", position: 3, in: "a\nbc") == PromQLParseError(message: "m", position: 3, line: 2, column: 2))
    }
}
