import Foundation

/// Number formatting for reasons and reports: short, fixed, locale-free.
enum NumberText {
    /// Request counts: whole numbers as such, fractional increases with one decimal.
    static func count(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        if abs(x - x.rounded()) < 0.05, abs(x) < 1e15 { return String(Int64(x.rounded())) }
        return String(format: "%.1f", x)
    }

    /// A percentage without the sign: 2 decimals, 3 significant digits below 0.1.
    static func percent(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        if x == 0 { return "0.00 %" }
        if abs(x) < 0.1 { return String(format: "%.3g %%", x) }
        return String(format: "%.2f %%", x)
    }

    /// Percentage points with a sign.
    static func points(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        let rounded = abs(x) < 0.005 ? 0 : x
        return (rounded < 0 ? "−" : "+") + String(format: "%.2f", abs(rounded))
    }

    /// p-values: 4 decimals, scientific below 0.001, a bound below double range.
    static func pValue(_ p: Double) -> String {
        guard p.isFinite else { return "\(p)" }
        if p == 0 { return "< 1e-300" }
        if p < 0.001 { return String(format: "%.1e", p) }
        return String(format: "%.4f", p)
    }

    /// "p = 0.0123", or "p < 1e-300" when the p-value underflowed.
    static func pEquals(_ p: Double) -> String {
        p == 0 ? "p < 1e-300" : "p = " + pValue(p)
    }

    /// Significance levels and probabilities: up to 4 decimals, trailing zeros trimmed.
    static func probability(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        if x != 0, abs(x) < 0.0001 { return String(format: "%.1e", x) }
        var text = String(format: "%.4f", x)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// Milliseconds with precision that suits the magnitude.
    static func milliseconds(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        if abs(x) >= 100 { return String(format: "%.0f ms", x) }
        if abs(x) >= 10 { return String(format: "%.1f ms", x) }
        return String(format: "%.2f ms", x)
    }

    /// Ratios as multipliers.
    static func ratio(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        return String(format: "×%.2f", x)
    }

    /// z-scores.
    static func z(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        return String(format: "%.2f", abs(x) < 0.005 ? 0 : x)
    }
}
