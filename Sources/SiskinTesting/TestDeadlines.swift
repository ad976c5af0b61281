import Foundation

/// How much longer than on a plain debug build a test may wait for something to
/// happen: `SISKIN_TEST_SLOWDOWN` (a factor, at least 1), which `scripts/sanitize`
/// sets. A sanitizer makes every process several times slower, and a deadline tuned
/// for a plain build would then fail for the machine, not for the code. Only
/// deadlines scale (how long to wait for a push, an answer, a start); what a test
/// asserts about the system (counts, totals, back-off floors) does not.
public enum TestDeadlines {
    public static let factor: Double = {
        guard let text = ProcessInfo.processInfo.environment["SISKIN_TEST_SLOWDOWN"],
              let value = Double(text), value.isFinite, value >= 1
        else { return 1 }
        return value
    }()

    /// `seconds`, stretched by the slowdown factor.
    public static func scaled(_ seconds: Double) -> Double { seconds * factor }
}
