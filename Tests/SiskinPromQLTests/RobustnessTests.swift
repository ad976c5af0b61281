import SiskinPromQL
import Testing

@Suite("Robustness: any input fails cleanly, nesting is bounded")
struct RobustnessTests {
    /// Parses `query`; if it parses, its printed form must parse and print
    /// the same again. Returns whether it parsed.
    @discardableResult
    func parseAndCheckPrinter(_ query: String) -> Bool {
        guard let tree = try? PromQLParser.parse(query) else { return false }
        let printed = tree.description
        do {
            let reparsed = try PromQLParser.parse(printed)
            #expect(reparsed.description == printed, "\(query) → \(printed)")
        } catch {
            Issue.record("\(query) printed as \(printed), which fails: \(error)")
        }
        return true
    }

    @Test("random byte strings never crash the parser")
    func randomBytes() {
        var random = SplitMix64(state: 0x5151_4B1E)
        let alphabet = Array("abxyz_:019.eE+-*/%^=!~<>(){}[],\"'`\\#@ \t\n".utf8) + [0x00, 0xC3, 0xA9, 0xFF, 0x80]
        for _ in 0..<4000 {
            let length = Int.random(in: 0...48, using: &random)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &random) ? alphabet.randomElement(using: &random) ?? 0 : UInt8.random(in: 0...255, using: &random)
            }
            parseAndCheckPrinter(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test("random token soups never crash the parser, and what parses prints back")
    func randomTokens() {
        var random = SplitMix64(state: 42)
        let tokens = ["sum", "rate", "x", "y{a=\"b\"}", "{a=~\".+\"}", "(", ")", "[5m]", "offset", "1m", "-", "+", "*", "/",
                      "^", "==", "bool", "on", "(a)", "group_left", "by", "without", "and", "or", "unless", ",", "1", "0.5",
                      "topk", "histogram_quantile", "vector", "time()", "\"s\"", "Inf", "NaN", "#c\n", " "]
        var parsed = 0
        for _ in 0..<6000 {
            let count = Int.random(in: 1...14, using: &random)
            let query = (0..<count).map { _ in tokens.randomElement(using: &random) ?? "" }.joined(separator: " ")
            if parseAndCheckPrinter(query) { parsed += 1 }
        }
        #expect(parsed > 100)
    }

    @Test("every truncation and every one-byte deletion of the real-world queries fails cleanly or round-trips")
    func truncationsAndDeletions() {
        for query in realWorldQueries {
            let bytes = Array(query.utf8)
            for end in 0...bytes.count {
                parseAndCheckPrinter(String(decoding: bytes[..<end], as: UTF8.self))
            }
            for index in bytes.indices {
                var shorter = bytes
                shorter.remove(at: index)
                parseAndCheckPrinter(String(decoding: shorter, as: UTF8.self))
            }
        }
    }

    @Test("nesting up to the limit parses; beyond it is an error, not a stack overflow")
    func nestingLimit() throws {
        let limit = PromQLParser.maximumNestingDepth
        func nested(_ depth: Int) -> String { String(repeating: "(", count: depth) + "x" + String(repeating: ")", count: depth) }
        _ = try parse(nested(limit - 1))
        let tooDeep = "expression nests too deeply (more than \(limit) levels)"
        for query in [nested(256), nested(limit), nested(100_000),
                      String(repeating: "-", count: 10_000) + "1",
                      String(repeating: "abs(", count: 300) + "x" + String(repeating: ")", count: 300),
                      String(repeating: "sum(", count: 300),
                      "x" + String(repeating: " ^ x", count: 300),
                      "x" + String(repeating: " + x", count: 300),
                      "x" + String(repeating: " or x", count: 300),
                      String(repeating: "{", count: 300)] {
            let error = parseError(query)
            #expect(error != nil)
            if query.hasPrefix("(") || query.hasPrefix("-") || query.hasPrefix("x") || query.hasPrefix("abs") {
                #expect(error?.message == tooDeep, "\(query.prefix(20))…: \(String(describing: error))")
            }
        }
        // A long flat chain under the limit is fine.
        _ = try parse("x" + String(repeating: " + x", count: limit - 2))
    }

    @Test("large flat inputs parse in linear time")
    func largeInputs() throws {
        let manyMatchers = "x{" + (0..<5000).map { "l\($0)=\"v\($0)\"" }.joined(separator: ",") + "}"
        guard case .vector(let selector) = try parse(manyMatchers) else {
            Issue.record("not a selector")
            return
        }
        #expect(selector.matchers.count == 5001)
        let manyLabels = "sum by (" + (0..<5000).map { "l\($0)" }.joined(separator: ",") + ") (x)"
        _ = try parse(manyLabels)
        let longString = "\"" + String(repeating: "a\\n", count: 100_000) + "\""
        #expect(try parse(longString) == .string(String(repeating: "a\n", count: 100_000)))
    }
}

#if canImport(Foundation)
import Foundation

@Suite("Stack use at the nesting limit")
struct StackDepthTests {
    /// The deepest queries of each shape the parser accepts.
    static let deepest: [String] = {
        let depth = PromQLParser.maximumNestingDepth - 1
        func wrap(_ open: String, _ inner: String, _ close: String) -> String {
            String(repeating: open, count: depth) + inner + String(repeating: close, count: depth)
        }
        return [
            wrap("(", "x", ")"),
            wrap("abs(", "x", ")"),
            wrap("sum by (a) (", "x", ")"),
            wrap("topk(1, ", "x", ")"),
            wrap("histogram_quantile(0.5, ", "x", ")"),
            String(repeating: "-", count: depth) + "x",
            "x" + String(repeating: " ^ x", count: depth - 1),
            // Two levels each: the parenthesis and the right operand.
            String(repeating: "x + (", count: depth / 2) + "x" + String(repeating: ")", count: depth / 2),
            "x" + String(repeating: " + x", count: depth - 1),
        ]
    }()

    @Test("the deepest accepted queries parse, print and compare on a 512 KiB thread stack, as on Darwin's secondary threads")
    func smallStack() async {
        let ok = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let thread = Thread {
                var ok = true
                for query in StackDepthTests.deepest {
                    guard let tree = try? PromQLParser.parse(query) else {
                        ok = false
                        continue
                    }
                    ok = ok && (try? PromQLParser.parse(tree.description)) == tree
                }
                continuation.resume(returning: ok)
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        #expect(ok)
    }
}
#endif
