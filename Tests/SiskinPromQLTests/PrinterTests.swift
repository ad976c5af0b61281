import SiskinPromQL
import Testing

@Suite("The printer: canonical PromQL that parses back to the same tree")
struct PrinterTests {
    static let corpus: [String] = realWorldQueries + [
        "1", "-1", "1.5", "0.001", "1e-300", "1e+300", "123456789012345678", "-Inf", "Inf", "0x1f", "5m",
        #""a\"b\\c\n\t\u00e9\x01""#, "'single'", "`raw\\`", #"x{a="b", c!="d", e=~"f", g!~"h"}"#,
        #"{__name__="up", job="a"}"#, #"{"foo.bar"}"#, #"x{"a.b"="c"}"#, #"{a=~".+"}"#,
        "x offset 5m", "x offset -1h30m", "x[90s] offset 1d", "x[1.5]", "sum", "by + offset", "offset offset 1m",
        "a + b * c", "(a + b) * c", "a ^ b ^ c", "(a ^ b) ^ c", "-a ^ b", "(-a) ^ b", "-(a + b)", "a - -b",
        "- -a", "2 ^ -1", "-2 * x", "a * -b + c", "a or b and c unless d",
        "a > bool b", "1 < bool 2", "a * on (x) group_left (y) b", "a * ignoring () group_right b",
        "a / on () group_left () b", "a or on () vector(1)", "1 + on () a",
        "sum(x) by (le)", "sum without (a, b) (x)", "sum by () (x)", "topk by (a) (5, x)", "quantile(0.9, x)",
        "count(x) without ()", "avg(min(max(x)))", "round(x)", "round(x, 0.001)", "time()", "vector(time())",
        "rate((x[5m]))", "SUM BY (A) (X)", "histogram_quantile(0.5, sum by (le) (rate(x_bucket[5m])))",
    ]

    @Test("every corpus query prints to a form that parses to the same tree, and printing is stable",
          arguments: PrinterTests.corpus)
    func roundTrip(query: String) throws {
        let tree = try parse(query)
        let printed = tree.description
        let reparsed = try parse(printed)
        #expect(reparsed == tree, "\(query) printed as \(printed)")
        #expect(reparsed.description == printed)
    }

    @Test("canonical forms: grouping first, Prometheus durations, double quotes, plain numbers", arguments: [
        (#"sum(rate(x{a="b"}[5m])) by (le)"#, #"sum by (le) (rate(x{a="b"}[5m]))"#),
        ("sum(x) without (a)", "sum without (a) (x)"),
        ("x offset -5m", "x offset -5m"),
        ("x[90s]", "x[1m30s]"),
        ("x[300]", "x[5m]"),
        ("0x1f", "31"),
        ("1e3", "1000"),
        ("0.5", "0.5"),
        ("-Inf", "-Inf"),
        ("NaN", "NaN"),
        ("'single'", #""single""#),
        ("`a\"b`", #""a\"b""#),
        (#"{"foo.bar"="x"}"#, #"{"foo.bar"="x"}"#),
        (#"{__name__="up"}"#, #"{__name__="up"}"#),
        (#"up{}"#, "up"),
        (#"x{a="b",}"#, #"x{a="b"}"#),
        ("a*on(x)group_left b", "a * on (x) group_left b"),
        ("a>bool b", "a > bool b"),
        ("topk(5,x)by(a)", "topk by (a) (5, x)"),
        ("  rate( x [ 5m ] )  ", "rate(x[5m])"),
        ("SUM(x) BY (a)", "sum by (a) (x)"),
        ("sum(rate(x{a='b'}[90s])) by (le)", #"sum by (le) (rate(x{a="b"}[1m30s]))"#),
        ("a AND b", "a and b"),
    ])
    func canonicalForms(query: String, printed: String) throws {
        #expect(try parse(query).description == printed)
    }

    @Test("trees built by hand get the parentheses their shape needs")
    func handBuiltTrees() throws {
        let a = vector("a"), b = vector("b"), c = vector("c")
        let sum = Expr.binary(Binary(op: .add, lhs: a, rhs: b))
        #expect(Expr.binary(Binary(op: .multiply, lhs: sum, rhs: c)).description == "(a + b) * c")
        #expect(Expr.binary(Binary(op: .subtract, lhs: a, rhs: .binary(Binary(op: .subtract, lhs: b, rhs: c)))).description == "a - (b - c)")
        #expect(Expr.binary(Binary(op: .power, lhs: .binary(Binary(op: .power, lhs: a, rhs: b)), rhs: c)).description == "(a ^ b) ^ c")
        #expect(Expr.binary(Binary(op: .power, lhs: .unary(negate: true, a), rhs: b)).description == "(-a) ^ b")
        #expect(Expr.unary(negate: true, sum).description == "-(a + b)")
        #expect(Expr.binary(Binary(op: .power, lhs: .number(-2), rhs: .number(2))).description == "(-2) ^ 2")
        for tree in [Expr.binary(Binary(op: .multiply, lhs: sum, rhs: c)), .unary(negate: true, sum)] {
            #expect(shape(try parse(tree.description)).replacingOccurrences("[", "").replacingOccurrences("]", "")
                == shape(tree))
        }
    }

    @Test("strings and label values print with Go escapes and read back unchanged")
    func escaping() throws {
        for value in ["plain", "quote \" and backslash \\", "new\nline\ttab\r", "\u{0}\u{1}\u{7F}\u{85}", "é😀", "'single'", "`tick`"] {
            let string = Expr.string(value)
            #expect(try parse(string.description) == string, "\(string.description)")
            let selector = vector("x", [matcher("label", .equal, value)])
            #expect(try parse(selector.description) == selector, "\(selector.description)")
        }
    }

    @Test("selectors and matchers describe themselves for error messages")
    func selectorDescriptions() throws {
        #expect(selector("up", [matcher("job", .regexMatch, "a.*")], offset: minute).description == #"up{job=~"a.*"} offset 1m"#)
        #expect(matcher("a.b", .notEqual, "x").description == #""a.b"!="x""#)
        #expect(selector(nil, [matcher("__name__", .equal, "on")]).description == #"{__name__="on"}"#)
        // Names the lexer would not read back as a metric name go in braces.
        #expect(VectorSelector(name: "up", matchers: []).description == "up")
        #expect(VectorSelector(name: "on", matchers: [matcher("__name__", .equal, "on")]).description == #"{__name__="on"}"#)
        #expect(VectorSelector(name: "a.b", matchers: [matcher("job", .equal, "x")]).description == #"{__name__="a.b", job="x"}"#)
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
