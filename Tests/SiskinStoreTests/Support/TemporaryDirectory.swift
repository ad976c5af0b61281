import Foundation

/// A fresh directory under /tmp for one test, removed with `remove()`.
struct TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = "/tmp/siskin-store-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// File names in the directory, sorted.
    func names() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: file(name))))
    }

    func write(_ bytes: [UInt8], to name: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
    }

    /// Cuts `count` bytes off the end of a file, as a `kill -9` mid-write would.
    func chop(_ name: String, bytes count: Int) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file(name)))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        try handle.truncate(atOffset: size - UInt64(count))
    }

    func append(_ bytes: [UInt8], to name: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file(name)))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
    }

    func removeFile(_ name: String) throws {
        try FileManager.default.removeItem(atPath: file(name))
    }

    /// `name` becomes a symbolic link to `/dev/full`, where every write
    /// fails with ENOSPC (root included).
    func linkToFullDevice(_ name: String) throws {
        try? FileManager.default.removeItem(atPath: file(name))
        try FileManager.default.createSymbolicLink(atPath: file(name), withDestinationPath: "/dev/full")
    }

    static func segmentName(_ sequence: UInt64) -> String {
        "log-" + String(repeating: "0", count: 16 - String(sequence).count) + String(sequence) + ".siskin"
    }

    static func sequence(of name: String) -> UInt64? {
        let digits = name.drop(while: { !$0.isNumber }).prefix(while: \.isNumber)
        return UInt64(digits)
    }
}
