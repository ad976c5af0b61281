#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a persistence operation failed. Never fatal to the process: the
/// database reports it through `PersistenceStatus` and keeps serving from
/// memory.
public enum PersistenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed (`ENOSPC` on a full disk, `EIO`, `EACCES`...).
    case system(operation: String, path: String, errno: Int32)
    /// A file is damaged or not ours; it is skipped, never trusted.
    case corrupt(file: String, reason: String)
    /// A snapshot written under a configuration it cannot be read back with.
    case incompatible(file: String, reason: String)
    /// Another process holds the data directory.
    case locked(directory: String)

    public var description: String {
        switch self {
        case .system(let operation, let path, let code):
            "\(operation) \(path): \(Self.message(code)) (errno \(code))"
        case .corrupt(let file, let reason): "\(file) is corrupt: \(reason)"
        case .incompatible(let file, let reason): "\(file) cannot be used: \(reason)"
        case .locked(let directory): "\(directory) is in use by another process (its LOCK file is held)"
        }
    }

    /// True when the disk is full (or the quota reached): the case the
    /// operator most needs to tell apart.
    public var isDiskFull: Bool {
        if case .system(_, _, let code) = self { return code == ENOSPC || code == EDQUOT }
        return false
    }

    static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// The failure of the system call just made.
    static func lastSystemError(_ operation: String, _ path: String) -> PersistenceError {
        .system(operation: operation, path: path, errno: errno)
    }
}
