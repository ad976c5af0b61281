import Foundation

/// Numbers as the live view prints them: fixed widths, no exponents.
enum Format {
    static func percent(_ value: Double) -> String {
        String(format: "%.2f%%", value)
    }

    static func milliseconds(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0fms", value) : String(format: "%.1fms", value)
    }

    static func number(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }

    /// A judge score: whole when it is whole.
    static func score(_ value: Double) -> String {
        value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }

    /// "1 failed check", "3 failed checks".
    static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }

    static func seconds(_ value: Double) -> String {
        String(format: "%.0fs", value)
    }

    /// `text` right-aligned in `width` columns (never cut).
    static func right(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// `text` left-aligned in `width` columns (never cut).
    static func left(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
