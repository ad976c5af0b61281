#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor, closed when the last reference goes.
///
/// Plain POSIX calls, because persistence needs exact control over what
/// reaches the kernel and when: `write` loops over partial writes and
/// `EINTR`, `fdatasync` is explicit, and every failure comes back as a
/// `PersistenceError` carrying `errno` instead of an exception or a trap.
public final class SystemFile: Sendable {
    public let descriptor: Int32
    public let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { closeDescriptor(descriptor) }

    /// Opens `path` with `flags` (`O_CLOEXEC` is always added).
    public static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(PersistenceError) -> SystemFile {
        while true {
            let fd = openDescriptor(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return SystemFile(descriptor: fd, path: path) }
            if errno != EINTR { throw .lastSystemError("open", path) }
        }
    }

    /// A second descriptor for the same open file, so a slow `fdatasync` can
    /// run without holding the lock that guards the first.
    public func duplicate() throws(PersistenceError) -> SystemFile {
        let fd = dup(descriptor)
        guard fd >= 0 else { throw .lastSystemError("dup", path) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return SystemFile(descriptor: fd, path: path)
    }

    /// Writes all of `bytes`, looping over partial writes and `EINTR`.
    /// On failure some prefix may have been written; the caller decides
    /// whether to cut it off again.
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(PersistenceError) {
        guard var base = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = write(descriptor, base, left)
            if written < 0 {
                if errno == EINTR { continue }
                throw .lastSystemError("write", path)
            }
            if written == 0 { throw .system(operation: "write", path: path, errno: EIO) }
            base += written
            left -= written
        }
    }

    public func writeAll(_ bytes: [UInt8]) throws(PersistenceError) {
        let result: Result<Void, PersistenceError> = bytes.withUnsafeBytes { raw in
            Result { () throws(PersistenceError) in try writeAll(raw) }
        }
        try result.get()
    }

    /// Writes all of `bytes` at `offset` (`pwrite`), leaving the file offset
    /// alone: for small fixed-size records rewritten in place.
    public func overwrite(_ bytes: [UInt8], at offset: Int64) throws(PersistenceError) {
        var failure: PersistenceError?
        bytes.withUnsafeBytes { raw in
            guard var base = raw.baseAddress else { return }
            var left = raw.count
            var position = offset
            while left > 0 {
                let written = pwrite(descriptor, base, left, off_t(position))
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = .lastSystemError("write", path)
                    return
                }
                if written == 0 {
                    failure = .system(operation: "write", path: path, errno: EIO)
                    return
                }
                base += written
                left -= written
                position += Int64(written)
            }
        }
        if let failure { throw failure }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    public func read(count: Int, at offset: Int64) throws(PersistenceError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        var failure: PersistenceError?
        out.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            while filled < count {
                let got = pread(descriptor, base + filled, count - filled, off_t(offset + Int64(filled)))
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = .lastSystemError("read", path)
                    return
                }
                if got == 0 { break }
                filled += got
            }
        }
        if let failure { throw failure }
        if filled < count { out.removeSubrange(filled...) }
        return out
    }

    public var size: Int64 {
        get throws(PersistenceError) {
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { throw .lastSystemError("stat", path) }
            return Int64(info.st_size)
        }
    }

    /// Cuts the file to `length` bytes (discarding a torn tail).
    public func truncate(to length: Int64) throws(PersistenceError) {
        while ftruncate(descriptor, off_t(length)) != 0 {
            if errno != EINTR { throw .lastSystemError("truncate", path) }
        }
    }

    /// Data to stable storage (metadata only as far as needed to read it back).
    public func syncData() throws(PersistenceError) {
        while dataSync(descriptor) != 0 {
            if errno != EINTR { throw .lastSystemError("fdatasync", path) }
        }
    }

    /// Data and metadata to stable storage (also used on directories, so a
    /// rename or a new file survives a power loss).
    public func sync() throws(PersistenceError) {
        while fsync(descriptor) != 0 {
            if errno != EINTR { throw .lastSystemError("fsync", path) }
        }
    }

    /// An exclusive advisory lock, held until the descriptor closes: two
    /// aggregators appending to one log would interleave records.
    public func lockExclusively() -> Bool {
        flock(descriptor, LOCK_EX | LOCK_NB) == 0
    }
}

// File-scope wrappers: inside `SystemFile`, `open` and `close` would name
// its own members.
private func openDescriptor(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}

private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

private func dataSync(_ fd: Int32) -> Int32 {
    #if canImport(Darwin)
    return fsync(fd)
    #else
    return fdatasync(fd)
    #endif
}
