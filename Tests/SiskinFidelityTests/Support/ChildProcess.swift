import Foundation
import SiskinTesting

/// A long-running child (Prometheus, `siskin serve`, `siskin-agent`) with its output in
/// files, stopped on every exit path of the test.
///
/// Children are spawned from a fresh thread whose signal mask is cleared first: threads
/// of Dispatch and of Swift's cooperative pool block signals, a spawned child inherits the
/// spawning thread's mask, and a child with SIGTERM blocked would ignore `stop()` until
/// the SIGKILL fallback.
final class ChildProcess: @unchecked Sendable {
    let name: String
    let process: Process
    let stdoutPath: String
    let stderrPath: String

    /// Starts `executable` with `arguments`; output goes to `<logPrefix>.out`/`.err`.
    init(name: String, executable: String, arguments: [String], logPrefix: String) throws {
        self.name = name
        stdoutPath = logPrefix + ".out"
        stderrPath = logPrefix + ".err"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw RigFailure(description: "\(executable) is missing (run `swift build`)")
        }
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
        self.process = process
        try Self.withClearedSignalMask { try process.run() }
    }

    /// Runs `body` on a new thread with no signal blocked, and waits for it.
    static func withClearedSignalMask(_ body: @escaping @Sendable () throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: Error?
        let thread = Thread {
            var empty = sigset_t()
            sigemptyset(&empty)
            pthread_sigmask(SIG_SETMASK, &empty, nil)
            do { try body() } catch { failure = error }
            done.signal()
        }
        thread.start()
        done.wait()
        if let failure { throw failure }
    }

    var isRunning: Bool { process.isRunning }

    /// SIGTERM, then SIGKILL if it has not exited within `grace` seconds. Idempotent.
    func stop(grace: Double = 5) {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(grace)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
    }

    /// SIGKILL, as a crash or the OOM killer would: no shutdown code runs.
    func killHard() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Standard error so far (where all three programs log).
    var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// The last `lines` lines of the log, for failure messages.
    func logTail(_ lines: Int = 30) -> String {
        log.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

/// Every child of one test, stopped together (agents first, then what they talk to).
final class ChildProcesses: @unchecked Sendable {
    private let lock = NSLock()
    private var children: [ChildProcess] = []

    func add(_ child: ChildProcess) {
        lock.withLock { children.append(child) }
    }

    /// Stops `child` and forgets it (a failed start that is retried).
    func discard(_ child: ChildProcess) {
        child.stop()
        lock.withLock { children.removeAll { $0 === child } }
    }

    /// Stops children in reverse start order.
    func stopAll() {
        let all = lock.withLock { () -> [ChildProcess] in
            defer { children.removeAll() }
            return children
        }
        for child in all.reversed() { child.stop() }
    }

    /// The child started with `name`, if still held.
    func named(_ name: String) -> ChildProcess? {
        lock.withLock { children }.last { $0.name == name }
    }

    /// Children that have exited (none should before `stopAll`). While a child runs, its
    /// listening port is its own, so answers on that port come from it.
    var exited: [ChildProcess] {
        lock.withLock { children }.filter { !$0.isRunning }
    }

    /// Log tails of every child, for failure messages.
    func logs(lines: Int = 15) -> String {
        lock.withLock { children }.map { "--- \($0.name) (\($0.stderrPath)):\n\($0.logTail(lines))" }
            .joined(separator: "\n")
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read it, close).
/// Another process may take it before the caller binds it; callers retry on failure.
func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw PortError(description: "socket() failed: errno \(errno)") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw PortError(description: "bind() failed: errno \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else { throw PortError(description: "getsockname() failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

struct PortError: Error, CustomStringConvertible {
    var description: String
}
