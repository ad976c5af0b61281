import ArgumentParser
import SiskinCommandLine
import SiskinAgent

/// `siskin-agent health`: an exec probe for Kubernetes. Reads the running
/// agent's heartbeat file; exits 0 while the loop is alive.
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Exit 0 if the running agent's loop is alive (for liveness/readiness exec probes)."
    )

    @Option(help: "The agent's --status-file. [env: SISKIN_STATUS_FILE]")
    var statusFile: String = Environment.value("SISKIN_STATUS_FILE") ?? "/tmp/siskin-agent.status"

    @Option(help: "Largest acceptable heartbeat age (liveness: a few intervals).")
    var maxAge: Seconds = Seconds(30)

    @Flag(help: "Also require the last scrape of Envoy to have succeeded (readiness).")
    var requireEnvoy = false

    func run() throws {
        let status: AgentStatus
        do {
            status = try AgentStatus.read(from: statusFile)
        } catch {
            print("unhealthy: \(error)")
            throw ExitCode(1)
        }
        let age = Double(WallClock.milliseconds() - status.heartbeatMilliseconds) / 1000
        let summary = "heartbeat \(age)s ago, envoy \(status.envoyUp ? "up" : "down"), push \(status.pushesFailing ? "failing" : "ok")"
            + (status.lastError.map { ", last error: \($0)" } ?? "")
        guard age <= maxAge.value else {
            print("unhealthy: \(summary) (max age \(maxAge))")
            throw ExitCode(1)
        }
        guard !requireEnvoy || status.envoyUp else {
            print("not ready: \(summary)")
            throw ExitCode(1)
        }
        print("healthy: \(summary)")
    }
}
