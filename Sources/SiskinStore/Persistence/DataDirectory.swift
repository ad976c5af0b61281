#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `--data-dir` layout and the file-system operations on it.
///
/// ```
/// LOCK                              held (flock) while an aggregator runs
/// snapshot-<16-digit seq>.siskin    store state before log segment <seq>
/// log-<16-digit seq>.siskin         pushes applied after the snapshot
/// snapshot.tmp                      a snapshot being written
/// ```
///
/// Sequence numbers are zero-padded so names sort in order; a snapshot
/// named `seq` covers every segment below `seq`.
struct DataDirectory: Sendable {
    let path: String
    /// Holds the `flock` for as long as the directory is in use.
    private let lock: SystemFile

    static let logPrefix = "log-"
    static let snapshotPrefix = "snapshot-"
    static let suffix = ".siskin"
    static let temporarySnapshotName = "snapshot.tmp"
    static let lockName = "LOCK"

    /// Creates the directory (and its parents) if needed and takes its lock.
    init(path: String) throws(PersistenceError) {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.path = trimmed
        try Self.createDirectories(trimmed)
        let lock = try SystemFile.open(trimmed + "/" + Self.lockName, flags: O_RDWR | O_CREAT)
        // A lock that frees within a second is not another aggregator: a
        // previous process still exiting, or a child another thread of this
        // process is spawning, which holds a copy of the descriptor until its
        // exec closes it. Another aggregator holds it for good.
        var acquired = lock.lockExclusively()
        for _ in 0..<20 where !acquired {
            usleep(50_000)
            acquired = lock.lockExclusively()
        }
        guard acquired else { throw .locked(directory: trimmed) }
        self.lock = lock
    }

    func file(_ name: String) -> String { path + "/" + name }

    static func logName(_ sequence: UInt64) -> String { logPrefix + padded(sequence) + suffix }
    static func snapshotName(_ sequence: UInt64) -> String { snapshotPrefix + padded(sequence) + suffix }

    private static func padded(_ value: UInt64) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    /// The sequence number in a `prefix<digits>.siskin` name.
    static func sequence(in name: String, prefix: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(digits)
    }

    /// Sequence numbers of the log segments and snapshots present, ascending.
    func inventory() throws(PersistenceError) -> (segments: [UInt64], snapshots: [UInt64]) {
        guard let handle = opendir(path) else { throw .lastSystemError("list", path) }
        defer { closedir(handle) }
        var segments: [UInt64] = []
        var snapshots: [UInt64] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if let s = Self.sequence(in: name, prefix: Self.logPrefix) { segments.append(s) }
            if let s = Self.sequence(in: name, prefix: Self.snapshotPrefix) { snapshots.append(s) }
        }
        return (segments.sorted(), snapshots.sorted())
    }

    func remove(_ name: String) throws(PersistenceError) {
        guard unlink(file(name)) == 0 || errno == ENOENT else { throw .lastSystemError("remove", file(name)) }
    }

    func rename(_ from: String, to: String) throws(PersistenceError) {
        guard renameFile(file(from), file(to)) == 0 else { throw .lastSystemError("rename", file(from)) }
    }

    /// Makes new names, renames and removals in the directory durable.
    func sync() throws(PersistenceError) {
        try SystemFile.open(path, flags: O_RDONLY | O_DIRECTORY).sync()
    }

    private static func createDirectories(_ path: String) throws(PersistenceError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw .lastSystemError("create directory", prefix) }
            prefix += "/"
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw .lastSystemError("stat", path) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw .system(operation: "open data directory", path: path, errno: ENOTDIR) }
    }
}

/// Inside `DataDirectory`, `rename` names its own method.
private func renameFile(_ from: String, _ to: String) -> Int32 {
    rename(from, to)
}
