import Foundation

/// A data disk a test can fill up and free again under a running
/// `siskin serve`.
///
/// As root (here and in CI) it is a small tmpfs mounted for the test, filled
/// by a file that takes every free byte: the server meets a real ENOSPC on
/// whatever it writes next. Where mounting is not allowed it falls back to
/// what `Tests/SiskinStoreTests/FullDiskTests.swift` does: the next log
/// segment and `snapshot.tmp` become symbolic links to `/dev/full`, where
/// every write fails with ENOSPC. Which one ran is in `technique`, and
/// printed, so a CI log never hides that the weaker one was used.
final class FillableDisk {
    enum Technique: String { case tmpfs, devFull = "/dev/full symbolic links" }

    let technique: Technique
    /// The server's `--data-dir`, on this disk.
    let dataDirectory: String
    private let mountPoint: String
    private var links: [String] = []

    init(in directory: String, bytes: Int = 16 << 20) throws {
        mountPoint = directory + "/disk"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        // SISKIN_FAULTS_DISK=devfull forces the fallback (to test it where mounting works).
        let forced = ProcessInfo.processInfo.environment["SISKIN_FAULTS_DISK"] == "devfull"
        let mount = forced ? -2 : Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", mountPoint])
        technique = mount == 0 ? .tmpfs : .devFull
        dataDirectory = mountPoint + "/data"
        print("FillableDisk: \(technique.rawValue)\(mount == 0 ? "" : " (mount -t tmpfs failed with status \(mount))")")
    }

    deinit { release() }

    /// Takes every free byte (tmpfs), or points the files the server will
    /// create next at `/dev/full`.
    func fill() throws {
        switch technique {
        case .tmpfs:
            let path = mountPoint + "/filler"
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            let chunk = Data(count: 64 << 10)
            while (try? handle.write(contentsOf: chunk)) != nil {}
            // Byte by byte at the end: not one byte left.
            let byte = Data(count: 1)
            while (try? handle.write(contentsOf: byte)) != nil {}
        case .devFull:
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory)) ?? []
            let newest = names.compactMap { name -> UInt64? in
                guard name.hasPrefix("log-"), name.hasSuffix(".siskin") else { return nil }
                return UInt64(name.dropFirst(4).prefix(while: \.isNumber))
            }.max() ?? 0
            // The next few segments: each failed snapshot starts one.
            for sequence in (newest + 1)...(newest + 64) {
                links.append(Self.segmentName(sequence))
            }
            links.append("snapshot.tmp")
            for name in links {
                let path = dataDirectory + "/" + name
                try? FileManager.default.removeItem(atPath: path)
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/full")
            }
        }
    }

    /// Gives the space back.
    func free() throws {
        switch technique {
        case .tmpfs:
            try FileManager.default.removeItem(atPath: mountPoint + "/filler")
        case .devFull:
            for name in links {
                let path = dataDirectory + "/" + name
                if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == "/dev/full" {
                    try FileManager.default.removeItem(atPath: path)
                }
            }
            links = []
        }
    }

    /// Unmounts (lazily: a killed server may still hold files open).
    func release() {
        guard technique == .tmpfs else { return }
        _ = Self.run("/bin/umount", ["-l", mountPoint])
    }

    static func segmentName(_ sequence: UInt64) -> String {
        "log-" + String(repeating: "0", count: 16 - String(sequence).count) + String(sequence) + ".siskin"
    }

    private static func run(_ path: String, _ arguments: [String]) -> Int32 {
        guard FileManager.default.isExecutableFile(atPath: path) else { return -1 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
