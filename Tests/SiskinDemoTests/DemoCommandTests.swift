import Foundation
import SiskinTesting
import Testing

/// `siskin demo` as a user runs it: the exit status says how the rollout ended.
@Suite struct DemoCommandTests {
    /// Runs the built `siskin` on its own thread: a blocked cooperative thread
    /// would starve the servers other suites run in-process.
    func siskin(_ arguments: [String]) async throws -> BuiltExecutable.Output {
        try await offPool { try BuiltExecutable.run("siskin", arguments) }
    }

    @Test(.scaledTimeLimit(minutes: 1))
    func promotedExitsZero() async throws {
        // One step straight to maxWeight: a single passing analysis promotes;
        // then a second of lingering with the page still served.
        let output = try await siskin(["demo", "--step-weight", "20", "--max-weight", "20", "--linger", "1s"])
        #expect(output.status == 0, "\(output.stdoutText)\n\(output.stderr)")
        #expect(output.stdoutText.contains("PROMOTED: test/podinfo"))
        #expect(output.stdoutText.contains("  page      http://127.0.0.1:"))
        #expect(output.stdoutText.contains("Still serving for 1s (Ctrl-C to stop): http://127.0.0.1:"))
    }

    @Test(.scaledTimeLimit(minutes: 1))
    func rolledBackExitsOne() async throws {
        let output = try await siskin(["demo", "--scenario", "errors", "--threshold", "1"])
        #expect(output.status == 1, "\(output.stdoutText)\n\(output.stderr)")
        #expect(output.stdoutText.contains("ROLLED BACK: test/podinfo after 1 failed check (threshold 1)"))
        #expect(output.stdoutText.contains("request-success-rate"))
    }

    @Test func impossibleOptionsAreAUsageError() async throws {
        let output = try await siskin(["demo", "--agent-interval", "4s"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("the analysis interval must be at least two agent intervals"))
    }
}
