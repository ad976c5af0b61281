import SiskinPromQL
import Testing

@Suite("Function calls: Siskin's functions, checked against Prometheus' signatures")
struct FunctionTests {
    @Test("every supported function parses with its Prometheus argument types", arguments: [
        "rate(x[5m])", "irate(x[5m])", "increase(x[1h])", "histogram_quantile(0.9, x)", "vector(1)",
        "scalar(x)", "time()", "abs(x)", "ceil(x)", "floor(x)", "round(x)", "round(x, 0.1)",
        "clamp(x, 0, 1)", "clamp_min(x, 0)", "clamp_max(x, 1)", "sort(x)", "sort_desc(x)", "absent(x)",
        #"label_replace(x, "dst", "$1", "src", "(.*)")"#, "vector(time())", "histogram_quantile(scalar(y), x)",
    ])
    func supported(query: String) throws {
        guard case .call(let name, _) = try parse(query) else {
            Issue.record("\(query) is not a call")
            return
        }
        #expect(PromQLFunction.signature(of: name) != nil)
    }

    @Test("calls keep their arguments in order")
    func arguments() throws {
        #expect(try parse("clamp(x, -1, 1)") == .call(name: "clamp", arguments: [vector("x"), .number(-1), .number(1)]))
        #expect(try parse("time()") == .call(name: "time", arguments: []))
        #expect(try parse(#"label_replace(x, "a", "$1", "b", "(.*)")"#) == .call(name: "label_replace", arguments: [
            vector("x"), .string("a"), .string("$1"), .string("b"), .string("(.*)"),
        ]))
    }

    @Test("argument types are checked as Prometheus checks them")
    func argumentTypes() {
        expectError("rate(x)", "expected type range vector in call to function \"rate\", got instant vector", at: 5)
        expectError("increase(1)", "expected type range vector in call to function \"increase\", got scalar", at: 9)
        expectError("histogram_quantile(x, y)", "expected type scalar in call to function \"histogram_quantile\", got instant vector", at: 19)
        expectError("vector(x)", "expected type scalar in call to function \"vector\", got instant vector", at: 7)
        expectError("abs(x[5m])", "expected type instant vector in call to function \"abs\", got range vector", at: 4)
        expectError(#"label_replace(x, 1, "a", "b", "c")"#, "expected type string in call to function \"label_replace\", got scalar", at: 17)
        expectError("round(x, y)", "expected type scalar in call to function \"round\", got instant vector", at: 9)
        expectError("scalar(1)", "expected type instant vector in call to function \"scalar\", got scalar", at: 7)
    }

    @Test("argument counts, with round's optional second argument")
    func argumentCounts() {
        expectError("rate()", "expected 1 argument(s) in call to \"rate\", got 0", at: 0)
        expectError("time(1)", "expected 0 argument(s) in call to \"time\", got 1", at: 0)
        expectError("clamp(x, 1)", "expected 3 argument(s) in call to \"clamp\", got 2", at: 0)
        expectError("round()", "expected at least 1 argument(s) in call to \"round\", got 0", at: 0)
        expectError("round(x, 1, 2)", "expected at most 2 argument(s) in call to \"round\", got 3", at: 0)
    }

    @Test("unknown and unsupported functions are told apart; names are case-sensitive")
    func unknownFunctions() {
        expectError("foo(x)", "unknown function with name \"foo\"", at: 0)
        expectError("sum(foo(x))", "unknown function with name \"foo\"", at: 4)
        expectError("RATE(x[5m])", "unknown function with name \"RATE\"", at: 0)
        expectError("delta(x[5m])", "the function \"delta\" is not supported by Siskin", at: 0)
        expectError("foo:bar(x)", "unexpected \"(\"", at: 7)
    }

    @Test("trailing commas are not allowed in calls")
    func trailingComma() {
        expectError("rate(x[5m],)", "trailing commas not allowed in function call args", at: 10)
        expectError("sum(x,)", "trailing commas not allowed in function call args", at: 5)
        expectError("rate(x[5m] y)", "unexpected identifier \"y\", expected \",\" or \")\"", at: 11)
        expectError("rate(x[5m]", "unclosed left parenthesis", at: 10)
    }

    @Test("a parenthesised range vector is still a range vector, as in Prometheus")
    func parenthesisedRange() throws {
        #expect(try parse("rate((x[5m]))") == .call(name: "rate", arguments: [.parenthesized(matrix("x", range: 5 * minute))]))
    }
}

@Suite("Aggregations: by/without before or after, parameters first")
struct AggregationTests {
    @Test("grouping may come before or after the argument and means the same")
    func groupingPlacement() throws {
        let grouped = Expr.aggregate(Aggregation(op: .sum, expr: vector("x"), grouping: ["le", "pod"]))
        #expect(try parse("sum by (le, pod) (x)") == grouped)
        #expect(try parse("sum(x) by (le, pod)") == grouped)
        #expect(try parse("sum by (le, pod,) (x)") == grouped)
        let without = Expr.aggregate(Aggregation(op: .sum, expr: vector("x"), grouping: ["pod"], without: true))
        #expect(try parse("sum without (pod) (x)") == without)
        #expect(try parse("sum(x) without (pod)") == without)
        #expect(try parse("sum by () (x)") == .aggregate(Aggregation(op: .sum, expr: vector("x"))))
        #expect(try parse("sum without () (x)") == .aggregate(Aggregation(op: .sum, expr: vector("x"), without: true)))
        #expect(try parse("sum by (le, by, on, sum, Offset) (x)") == .aggregate(Aggregation(
            op: .sum, expr: vector("x"), grouping: ["le", "by", "on", "sum", "Offset"])))
    }

    @Test("every aggregation operator", arguments: Aggregation.Op.allCases)
    func operators(op: Aggregation.Op) throws {
        let takesParameter = op == .topk || op == .bottomk || op == .quantile
        let query = takesParameter ? "\(op.rawValue)(0.5, x)" : "\(op.rawValue)(x)"
        #expect(try parse(query) == .aggregate(Aggregation(op: op, expr: vector("x"), parameter: takesParameter ? .number(0.5) : nil)))
    }

    @Test("topk, bottomk and quantile take their parameter first")
    func parameters() throws {
        #expect(try parse("topk(5, x)") == .aggregate(Aggregation(op: .topk, expr: vector("x"), parameter: .number(5))))
        #expect(try parse("bottomk by (a) (3, x)") == .aggregate(Aggregation(op: .bottomk, expr: vector("x"), parameter: .number(3), grouping: ["a"])))
        #expect(try parse("quantile(0.9, x) by (a)") == .aggregate(Aggregation(op: .quantile, expr: vector("x"), parameter: .number(0.9), grouping: ["a"])))
        #expect(try parse("topk(scalar(y), x)") == .aggregate(Aggregation(op: .topk, expr: vector("x"), parameter: .call(name: "scalar", arguments: [vector("y")]))))
    }

    @Test("aggregation errors name the problem")
    func errors() {
        expectError("sum()", "no arguments for aggregate expression provided", at: 0)
        expectError("topk(x)", "wrong number of arguments for aggregate expression provided, expected 2, got 1", at: 0)
        expectError("sum(x, y)", "wrong number of arguments for aggregate expression provided, expected 1, got 2", at: 0)
        expectError("sum(x[5m])", "expected type instant vector in aggregation expression, got range vector", at: 4)
        expectError("sum(1)", "expected type instant vector in aggregation expression, got scalar", at: 4)
        expectError("topk(x, y)", "expected type scalar in aggregation parameter, got instant vector", at: 5)
        expectError("sum by (a) (x) by (b)", "unexpected <by>", at: 15)
        expectError("sum by a (x)", "unexpected identifier \"a\" in grouping opts, expected \"(\"", at: 7)
        expectError("sum by (a:b) (x)", "unexpected metric identifier \"a:b\" in grouping opts, expected label", at: 8)
        expectError("sum by (a) x", "unexpected identifier \"x\" in aggregation, expected \"(\"", at: 11)
        expectError("sum by", "unexpected end of input in grouping opts, expected \"(\"", at: 6)
        expectError("stddev(x)", "the \"stddev\" aggregation is not supported by Siskin", at: 0)
        expectError("group by (a) (x)", "the \"group\" aggregation is not supported by Siskin", at: 0)
        expectError("count_values(\"v\", x)", "the \"count_values\" aggregation is not supported by Siskin", at: 0)
    }
}
