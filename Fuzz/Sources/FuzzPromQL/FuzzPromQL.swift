import FuzzSupport
import SiskinPromQL

/// libFuzzer entry point for the PromQL parser (`PromQLParser.parse`). The
/// input bytes are the query as the HTTP API gets it (decoded as UTF-8,
/// invalid sequences replaced, as `String(decoding:)` does).
///
/// Checks beyond "no crash" (and beyond the bounded nesting keeping the
/// recursion off the end of the stack):
///  - a query that fails reports a position inside the query and a line and
///    column of at least 1;
///  - a query that parses prints (ExprDescription.swift's canonical printer)
///    to text that parses to the same tree, and prints the same again. Trees
///    with a NaN literal compare by printed form, since NaN != NaN.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPromQL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let query = String(decoding: fuzzInput(data, size), as: UTF8.self)
    let tree: Expr
    do {
        tree = try PromQLParser.parse(query)
    } catch {
        let length = query.utf8.count
        invariant(error.position >= 0 && error.position <= length,
                  "error position \(error.position) outside a \(length)-byte query: \(error)")
        invariant(error.line >= 1 && error.column >= 1, "line/column \(error.line):\(error.column)")
        invariant(!error.message.isEmpty, "empty error message")
        return 0
    }
    let printed = tree.description
    let reparsed: Expr
    do {
        reparsed = try PromQLParser.parse(printed)
    } catch {
        invariant(false, "\(query.debugDescription) printed as \(printed.debugDescription), which fails: \(error)")
        return 0
    }
    invariant(reparsed == tree || (containsNaN(tree) && reparsed.description == printed),
              "\(query.debugDescription) printed as \(printed.debugDescription), which parses to another tree")
    invariant(reparsed.description == printed,
              "\(printed.debugDescription) re-prints as \(reparsed.description.debugDescription)")
    return 0
}

/// Whether a number literal in the tree is NaN (the only value not equal to
/// itself).
func containsNaN(_ expr: Expr) -> Bool {
    switch expr {
    case .number(let value): value.isNaN
    case .string, .vector, .matrix: false
    case .call(_, let arguments): arguments.contains(where: containsNaN)
    case .aggregate(let aggregation): containsNaN(aggregation.expr) || aggregation.parameter.map(containsNaN) == true
    case .binary(let binary): containsNaN(binary.lhs) || containsNaN(binary.rhs)
    case .unary(_, let operand), .parenthesized(let operand): containsNaN(operand)
    }
}
