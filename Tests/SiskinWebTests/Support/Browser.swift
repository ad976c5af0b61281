import Foundation
import SiskinTesting

/// Debian's headless Chromium, started once per page: `--dump-dom` after a
/// `--virtual-time-budget` gives the page as its script rendered it, and
/// `--screenshot` a PNG. With `--enable-logging=stderr --v=0` Chromium logs
/// every console message of the page, failed load and Content-Security-Policy
/// violation as an `INFO:CONSOLE` line on stderr: the pages write nothing to
/// the console, so any such line is an error.
enum Browser {
    static var path: String? { SystemTool.path(of: "chromium") ?? SystemTool.path(of: "chromium-browser") }
    /// Under CI a missing Chromium is a failure, not a skip (as the fidelity suite does with Prometheus).
    static var underCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    struct Visit: Sendable {
        var url: String
        var dom: String
        /// Chromium's console lines for the page: messages, failed loads, CSP violations.
        var consoleLines: [String]
    }

    /// Screenshots and DOM dumps of the test run, for people to look at.
    static let artifacts: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Support, SiskinWebTests, Tests, the package
        let path = url.appendingPathComponent(".build/test-artifacts/web").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// Loads `url`, lets the page run for `budget` ms of virtual time (its
    /// fetches complete in real time meanwhile), and returns the DOM. Saves
    /// the DOM as `<name>.html` among the artifacts.
    static func dumpDOM(_ url: String, name: String, budget: Int = 4000) async throws -> Visit {
        let (output, console) = try await run(["--dump-dom", url], budget: budget)
        try Data(output.stdout).write(to: URL(fileURLWithPath: "\(artifacts)/\(name).html"))
        return Visit(url: url, dom: output.stdoutText, consoleLines: console)
    }

    /// A PNG of the page at 1280 px wide, saved as `<name>.png` among the artifacts.
    static func screenshot(_ url: String, name: String, height: Int = 1500, budget: Int = 4000) async throws -> Visit {
        let file = "\(artifacts)/\(name).png"
        try? FileManager.default.removeItem(atPath: file)
        let (_, console) = try await run(["--screenshot=\(file)", "--window-size=1280,\(height)", url], budget: budget)
        return Visit(url: url, dom: "", consoleLines: console)
    }

    private static func run(_ arguments: [String], budget: Int) async throws -> (BuiltExecutable.Output, [String]) {
        let profile = try BuiltExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let name = (path as NSString?)?.lastPathComponent ?? "chromium"
        let all = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--hide-scrollbars", "--user-data-dir=\(profile)", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=\(budget)", "--timeout=30000",
        ] + arguments
        // Chromium blocks while it runs: never on the cooperative pool, which
        // the in-process server needs.
        let output = try await offPool { try SystemTool.run(name, all) }
        let console = output.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return (output, console)
    }
}

/// The numbers a page shows, read back from its DOM: every element with a
/// `data-value` (the API's raw number) and its other `data-` attributes.
struct PageValues {
    let elements: [[String: String]]

    init(dom: String) {
        let tag = try! NSRegularExpression(pattern: #"<[a-z0-9]+\s([^>]*\bdata-value="[^"]*"[^>]*)>"#)
        let attribute = try! NSRegularExpression(pattern: #"data-([a-z-]+)="([^"]*)""#)
        let text = dom as NSString
        elements = tag.matches(in: dom, range: NSRange(location: 0, length: text.length)).map { match in
            let inner = text.substring(with: match.range(at: 1))
            var values: [String: String] = [:]
            for a in attribute.matches(in: inner, range: NSRange(location: 0, length: (inner as NSString).length)) {
                values[(inner as NSString).substring(with: a.range(at: 1))] = (inner as NSString).substring(with: a.range(at: 2))
            }
            return values
        }
    }

    /// The value of the one element whose data attributes include `match`:
    /// `.some(nil)` when it shows no number, nil when there is no such element.
    func value(_ match: [String: String]) -> Double?? {
        let found = elements.filter { element in match.allSatisfy { element[$0.key] == $0.value } }
        guard found.count == 1, let raw = found[0]["value"] else { return nil }
        return .some(Double(raw))
    }

    /// An attribute of the root element or the first element carrying it.
    static func attribute(_ name: String, in dom: String) -> String? {
        guard let range = dom.range(of: " \(name)=\"") else { return nil }
        return String(dom[range.upperBound...].prefix { $0 != "\"" })
    }
}
