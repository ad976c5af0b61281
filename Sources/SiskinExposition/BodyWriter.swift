#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes bytes to a file (or standard output for `-`) with POSIX calls,
/// reporting short writes and full disks instead of losing data silently.
public enum BodyWriter {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let fd: Int32 = path == "-" ? 1 : open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BodyReader.Error(description: "\(path): \(String(cString: strerror(errno)))") }
        defer { if fd != 1 { close(fd) } }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw BodyReader.Error(description: "\(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
