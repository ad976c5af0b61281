#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file (or standard input for `-`) into bytes with plain
/// POSIX calls, bounded by `limit` so a wrong path cannot exhaust memory.
public enum BodyReader {
    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public static func readAll(_ path: String, limit: Int = 1 << 30) throws -> [UInt8] {
        let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY)
        guard fd >= 0 else { throw Error(description: "\(path): \(String(cString: strerror(errno)))") }
        defer { if fd != 0 { close(fd) } }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Error(description: "\(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            guard bytes.count + n <= limit else { throw Error(description: "\(path): larger than \(limit) bytes") }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }
}
