import Dispatch
import Foundation
import SiskinSync
import Synchronization

/// Runs the package's own executables (built next to the test binary by
/// `swift build --build-tests` / `swift test`) as a user would.
public enum BuiltExecutable {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: String
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    public struct NotBuilt: Error, CustomStringConvertible {
        public var description: String
    }

    /// The build products folder: where the running test binary lives.
    public static var productsDirectory: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var parts = exe.split(separator: "/", omittingEmptySubsequences: false)
        // .build/<triple>/debug/siskinPackageTests.xctest[/...]
        while let last = parts.last, !last.hasSuffix(".xctest") { parts.removeLast() }
        parts.removeLast()
        return parts.joined(separator: "/")
    }

    /// Runs `name` with `arguments`, feeding `stdin`, and waits for it.
    public static func run(_ name: String, _ arguments: [String], stdin: [UInt8]? = nil) throws -> Output {
        let path = productsDirectory + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw NotBuilt(description: "\(path) not built; run `swift build` first")
        }
        return try launch(path, arguments, stdin: stdin)
    }

    /// Runs the program at `path` and waits for it, draining its output.
    static func launch(_ path: String, _ arguments: [String], stdin: [UInt8]?) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin {
            try input.fileHandleForWriting.write(contentsOf: Data(stdin))
        }
        try input.fileHandleForWriting.close()
        // Drain both pipes concurrently so a large output cannot deadlock.
        // The reader hands its data over under a lock and signals when done
        // (ThreadSanitizer flagged the earlier hand-over by polling).
        let errBox = Mutex(Data())
        let errDone = DispatchSemaphore(value: 0)
        let errReader = Thread {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            errBox.locked { $0 = data }
            errDone.signal()
        }
        errReader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errDone.wait()
        let errData = errBox.locked { $0 }
        return Output(status: process.terminationStatus, stdout: [UInt8](outData), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts `name` without waiting (for signals and long-running modes);
    /// its output goes to the given file paths. `environment` is added to
    /// this process' own, for the child only (tests run in parallel here).
    public static func start(_ name: String, _ arguments: [String], stdout: String, stderr: String,
                             environment: [String: String] = [:]) throws -> Process {
        let path = productsDirectory + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw NotBuilt(description: "\(path) not built; run `swift build` first")
        }
        _ = FileManager.default.createFile(atPath: stdout, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        process.standardOutput = FileHandle(forWritingAtPath: stdout)
        process.standardError = FileHandle(forWritingAtPath: stderr)
        try process.run()
        return process
    }

    /// A fresh temporary directory for one test.
    public static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "siskin-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Programs from the system's packages that tests use as real peers
/// (`promtool` from Debian's `prometheus`, `chromium`, installed by `.ci/run`).
public enum SystemTool {
    public static func run(_ name: String, _ arguments: [String], stdin: [UInt8]? = nil) throws -> BuiltExecutable.Output {
        guard let path = path(of: name) else {
            throw BuiltExecutable.NotBuilt(description: "\(name) not installed (apt-get install prometheus)")
        }
        return try BuiltExecutable.launch(path, arguments, stdin: stdin)
    }

    /// Where `name` is installed, if it is.
    public static func path(of name: String) -> String? {
        ["/usr/bin", "/usr/local/bin", "/bin"].map { $0 + "/" + name }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
