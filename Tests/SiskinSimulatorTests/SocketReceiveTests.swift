import Foundation
import SiskinSimulator
import Testing

// `Socket.receive` appends what arrived to what the buffer already holds: the server's
// head and body framing relies on it, and it receives through scratch memory (not by
// growing the buffer first), so the bounds are checked here directly.

@Suite("Socket.receive")
struct SocketReceiveTests {
    /// A connected pair of stream sockets; closed by the caller.
    static func socketPair() throws -> (Int32, Int32) {
        var ends: [Int32] = [-1, -1]
        #if canImport(Darwin)
        let streamType = SOCK_STREAM
        #else
        let streamType = Int32(SOCK_STREAM.rawValue)
        #endif
        try #require(socketpair(AF_UNIX, streamType, 0, &ends) == 0)
        return (ends[0], ends[1])
    }

    @Test("appends only the bytes that arrived, after what the buffer held, at most `upTo`")
    func appendsWhatArrived() throws {
        let (reader, writer) = try Self.socketPair()
        defer { close(reader) }
        var buffer: [UInt8] = [1, 2]
        #expect(Socket.sendAll(writer, Array("hello".utf8)))
        #expect(Socket.receive(reader, appendingTo: &buffer, upTo: 65_536) == 5)
        #expect(buffer == [1, 2] + Array("hello".utf8))

        #expect(Socket.sendAll(writer, Array("world!".utf8)))
        #expect(Socket.receive(reader, appendingTo: &buffer, upTo: 3) == 3)
        #expect(buffer == [1, 2] + Array("hellowor".utf8))
        #expect(Socket.receive(reader, appendingTo: &buffer, upTo: 10) == 3)
        #expect(buffer == [1, 2] + Array("helloworld!".utf8))

        close(writer)
        #expect(Socket.receive(reader, appendingTo: &buffer, upTo: 10) == 0)
        #expect(buffer == [1, 2] + Array("helloworld!".utf8))
    }

    @Test("an error is nil and leaves the buffer as it was; nothing asked, nothing read")
    func errorAndEmpty() throws {
        let (reader, writer) = try Self.socketPair()
        defer {
            close(reader)
            close(writer)
        }
        var buffer: [UInt8] = [7]
        #expect(Socket.receive(reader, appendingTo: &buffer, upTo: 0) == 0)
        // -1, not a closed descriptor: another test's socket may reuse that number.
        #expect(Socket.receive(-1, appendingTo: &buffer, upTo: 16) == nil)
        #expect(buffer == [7])
    }
}
