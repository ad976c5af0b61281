import SiskinPromQL
import Testing

@Suite("Binary and unary operators: Prometheus precedence, associativity and modifiers")
struct OperatorTests {
    @Test("each operator binds as Prometheus binds it", arguments: [
        ("a + b * c", "(a + (b * c))"),
        ("a * b + c", "((a * b) + c)"),
        ("a - b - c", "((a - b) - c)"),
        ("a / b / c", "((a / b) / c)"),
        ("a % b * c", "((a % b) * c)"),
        ("a * b % c", "((a * b) % c)"),
        ("a + b - c", "((a + b) - c)"),
        ("a ^ b ^ c", "(a ^ (b ^ c))"),
        ("a * b ^ c", "(a * (b ^ c))"),
        ("a ^ b * c", "((a ^ b) * c)"),
        ("-a ^ b", "(-(a ^ b))"),
        ("-a * b", "((-a) * b)"),
        ("-a + b", "((-a) + b)"),
        ("a ^ -b", "(a ^ (-b))"),
        ("a * -b + c", "((a * (-b)) + c)"),
        ("a ^ -b ^ c", "(a ^ (-(b ^ c)))"),
        ("2 ^ -1", "(2 ^ -1)"),
        ("-2 ^ 2", "(-(2 ^ 2))"),
        ("a + b > c", "((a + b) > c)"),
        ("a > b + c", "(a > (b + c))"),
        ("a == b != c", "((a == b) != c)"),
        ("a < b <= c", "((a < b) <= c)"),
        ("a > b >= c", "((a > b) >= c)"),
        ("a > b and c", "((a > b) and c)"),
        ("a and b > c", "(a and (b > c))"),
        ("a and b or c", "((a and b) or c)"),
        ("a or b and c", "(a or (b and c))"),
        ("a unless b and c", "((a unless b) and c)"),
        ("a and b unless c", "((a and b) unless c)"),
        ("a or b unless c", "(a or (b unless c))"),
        ("a or b or c", "((a or b) or c)"),
        ("a or b and c == d + e * f ^ g", "(a or (b and (c == (d + (e * (f ^ g))))))"),
        ("a ^ b * c + d == e and f or g", "((((((a ^ b) * c) + d) == e) and f) or g)"),
        ("(a + b) * c", "([(a + b)] * c)"),
        ("a + b offset 5m", "(a + b offset 300000)"),
        ("- - a", "(-(-a))"),
    ])
    func precedence(query: String, expected: String) throws {
        #expect(shape(try parse(query)) == expected)
    }

    @Test("operator keywords are case-insensitive, like all Prometheus keywords")
    func caseInsensitiveKeywords() throws {
        #expect(shape(try parse("a AND b Or c UNLESS d")) == "((a and b) or (c unless d))")
        #expect(try parse("SUM BY (a) (x)") == .aggregate(Aggregation(op: .sum, expr: vector("x"), grouping: ["a"])))
        #expect(try parse("a > BOOL b") == .binary(Binary(op: .greater, lhs: vector("a"), rhs: vector("b"), returnBool: true)))
    }

    @Test("bool applies to comparisons, and is required between two scalars")
    func boolModifier() throws {
        #expect(try parse("a > bool b") == .binary(Binary(op: .greater, lhs: vector("a"), rhs: vector("b"), returnBool: true)))
        #expect(try parse("1 > bool 2") == .binary(Binary(op: .greater, lhs: .number(1), rhs: .number(2), returnBool: true)))
        #expect(try parse("a > 1") == .binary(Binary(op: .greater, lhs: vector("a"), rhs: .number(1))))
        expectError("1 > 2", "comparisons between scalars must use BOOL modifier", at: 2)
        expectError("a + bool b", "bool modifier can only be used on comparison operators", at: 2)
    }

    @Test("on/ignoring with group_left/group_right, label lists optional after group_*")
    func vectorMatching() throws {
        #expect(try parse("a * on (x, y) b") == .binary(Binary(op: .multiply, lhs: vector("a"), rhs: vector("b"),
                                                                 matching: .init(on: true, labels: ["x", "y"]))))
        #expect(try parse("a * ignoring (x) group_left (y) b") == .binary(Binary(
            op: .multiply, lhs: vector("a"), rhs: vector("b"),
            matching: .init(on: false, labels: ["x"], cardinality: .manyToOne, include: ["y"]))))
        #expect(try parse("a * on (x) group_right b") == .binary(Binary(
            op: .multiply, lhs: vector("a"), rhs: vector("b"), matching: .init(on: true, labels: ["x"], cardinality: .oneToMany))))
        #expect(try parse("a / on () group_left () b") == .binary(Binary(
            op: .divide, lhs: vector("a"), rhs: vector("b"), matching: .init(on: true, labels: [], cardinality: .manyToOne))))
        #expect(try parse("a > bool on (x,) b") == .binary(Binary(
            op: .greater, lhs: vector("a"), rhs: vector("b"), returnBool: true, matching: .init(on: true, labels: ["x"]))))
        #expect(try parse("a or on () b") == .binary(Binary(op: .or, lhs: vector("a"), rhs: vector("b"), matching: .init(on: true))))
        #expect(try parse("a + ignoring () b") == .binary(Binary(op: .add, lhs: vector("a"), rhs: vector("b"), matching: .init())))
        #expect(try parse("a * on (by, sum, offset) b") == .binary(Binary(
            op: .multiply, lhs: vector("a"), rhs: vector("b"), matching: .init(on: true, labels: ["by", "sum", "offset"]))))
    }

    @Test("an empty on () between a scalar and a vector is dropped, as Prometheus drops it")
    func scalarMatchingDropped() throws {
        #expect(try parse("1 + on () a") == .binary(Binary(op: .add, lhs: .number(1), rhs: vector("a"))))
        expectError("1 + on (x) a", "vector matching only allowed between instant vectors", at: 0)
    }

    @Test("set operators need two instant vectors and no grouping")
    func setOperators() {
        expectError("1 and a", "set operator \"and\" not allowed in binary scalar expression", at: 0)
        expectError("a or 1", "set operator \"or\" not allowed in binary scalar expression", at: 0)
        expectError("a UNLESS 1", "set operator \"unless\" not allowed in binary scalar expression", at: 0)
        expectError("a and on (x) group_left b", "no grouping allowed for \"and\" operation", at: 0)
        expectError("a * on (x) group_left (x) b", "label \"x\" must not occur in ON and GROUP clause at once", at: 2)
    }

    @Test("modifiers in the wrong order are syntax errors")
    func modifierOrder() {
        expectError("a + group_left b", "unexpected <group_left>", at: 4)
        expectError("a + on (x) bool b", "unexpected <bool>", at: 11)
        expectError("a + on x b", "unexpected identifier \"x\" in grouping opts, expected \"(\"", at: 7)
        expectError("a + on (x y) b", "unexpected identifier \"y\" in grouping opts, expected \",\" or \")\"", at: 10)
        expectError("a + on (1) b", "unexpected number \"1\" in grouping opts, expected label", at: 8)
    }

    @Test("operands must be scalars or instant vectors")
    func operandTypes() {
        expectError("x[5m] + 1", "binary expression must contain only scalar and instant vector types", at: 0)
        expectError("1 + x[5m]", "binary expression must contain only scalar and instant vector types", at: 4)
        expectError(#""a" + 1"#, "binary expression must contain only scalar and instant vector types", at: 0)
        expectError("-x[5m]", "unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\"", at: 0)
        expectError(#"-"a""#, "unary expression only allowed on expressions of type scalar or instant vector, got \"string\"", at: 0)
        expectError("a atan2 b", "the atan2 operator is not supported by Siskin", at: 2)
    }

    @Test("result types follow Prometheus: scalar only when both sides are")
    func resultTypes() throws {
        #expect(try parse("1 + 2").valueType == .scalar)
        #expect(try parse("1 + a").valueType == .vector)
        #expect(try parse("a / b").valueType == .vector)
        #expect(try parse("-(1)").valueType == .scalar)
        #expect(try parse("x[5m]").valueType == .matrix)
        #expect(try parse("'s'").valueType == .string)
        #expect(try parse("scalar(x) * time()").valueType == .scalar)
    }
}
