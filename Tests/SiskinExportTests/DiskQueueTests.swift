import Foundation
import Logging
@testable import SiskinExport
import Testing

/// The remote-write queue on disk: batches come back in order and once, the
/// byte limit drops the oldest, a torn or damaged tail is skipped (never
/// trusted, never a crash), a reopen continues after the last acknowledged
/// batch, and a full disk degrades to memory without losing order.
@Suite("Remote write queue on disk: segments, acknowledgements, limits, damage, full disk")
struct DiskQueueTests {
    /// A fresh directory under the system's temporary directory.
    final class Scratch {
        let path: String
        init() throws { path = NSTemporaryDirectory() + "siskin-queue-tests-" + UUID().uuidString }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
        func segments() -> [String] { names().filter { $0.hasPrefix(SegmentQueue.prefix) } }
        func size(_ name: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path + "/" + name)[.size] as? Int) ?? -1 }
    }

    /// Batch `n`: one series of `samples` samples stamped from `n` seconds, `through` n s.
    static func batch(_ n: Int, samples: Int = 10) -> QueuedBatch {
        let series = ExportSeries(
            labels: [ExportLabel("__name__", "batch_total"), ExportLabel("n", String(n))],
            samples: (0..<samples).map { ExportSample(timestamp: Int64(n) * 1000 + Int64($0), value: Double($0)) })
        return QueuedBatch(series: [series], through: Int64(n) * 1000)
    }

    static func drain(_ queue: inout SegmentQueue, ack: Bool = true) -> [QueuedBatch] {
        var out: [QueuedBatch] = []
        while let batch = queue.next() {
            out.append(batch)
            if ack { queue.ack() }
        }
        return out
    }

    @Test("a batch's record reads back as written; batches split long series at max samples, in order")
    func recordRoundTrip() throws {
        let batch = Self.batch(7, samples: 25)
        #expect(QueuedBatch(payload: batch.payload()) == batch)
        #expect(batch.samples == 25 && batch.newest == 7024 && batch.through == 7000)
        let series = ExportSeries(labels: [ExportLabel("__name__", "long")], samples: (0..<23).map { ExportSample(timestamp: Int64($0), value: 1) })
        let batches = QueuedBatch.batches([series, series], maxSamples: 10, through: 5)
        #expect(batches.map(\.samples) == [10, 10, 10, 10, 6])
        #expect(batches.allSatisfy { $0.through == 5 })
    }

    @Test("appended batches come back in order; after a reopen only the unacknowledged ones, the one in flight included")
    func appendReadAckReopen() throws {
        let scratch = try Scratch()
        var queue = try SegmentQueue(directory: scratch.path, maxBytes: 1 << 20, segmentBytes: 512)
        for n in 0..<30 { #expect(try queue.append(Self.batch(n)) == 0) }
        #expect(scratch.segments().count > 3)
        #expect(queue.pendingSamples == 300)
        for n in 0..<12 {
            #expect(queue.next() == Self.batch(n))
            queue.ack()
        }
        // Batch 12 is in flight when the process dies: not acknowledged, so it comes back.
        #expect(queue.next() == Self.batch(12))
        let segmentsBefore = scratch.segments()
        // Segments whose batches were all acknowledged are gone already.
        #expect(segmentsBefore.count < 8)

        var reopened = try SegmentQueue(directory: scratch.path, maxBytes: 1 << 20, segmentBytes: 512)
        #expect(reopened.notes.isEmpty)
        #expect(reopened.pendingSamples == 180)
        #expect(reopened.restoredThrough == 29_000)
        // New batches go to a new segment, after the old ones.
        _ = try reopened.append(Self.batch(30))
        #expect(Self.drain(&reopened) == (12...30).map { Self.batch($0) })
        #expect(reopened.pendingSamples == 0)

        // Everything acknowledged: nothing is sent again, and the newest `through` is remembered.
        var again = try SegmentQueue(directory: scratch.path, maxBytes: 1 << 20, segmentBytes: 512)
        #expect(again.next() == nil)
        #expect(again.restoredThrough == 30_000)
    }

    @Test("past the byte limit the oldest segments are deleted and their samples counted; the newest stay, in order")
    func limitDropsOldest() throws {
        let scratch = try Scratch()
        let limit: Int64 = 8 << 10
        var queue = try SegmentQueue(directory: scratch.path, maxBytes: limit, segmentBytes: 1 << 10)
        var dropped = 0
        for n in 0..<200 { dropped += try queue.append(Self.batch(n)) }
        #expect(queue.bytes <= limit)
        #expect(scratch.segments().map(scratch.size).reduce(0, +) == Int(queue.bytes))
        #expect(dropped > 0)
        #expect(dropped + queue.pendingSamples == 2000)
        let left = Self.drain(&queue)
        #expect(left.count * 10 == 2000 - dropped)
        #expect(left == ((200 - left.count)..<200).map { Self.batch($0) })

        // A smaller limit at start-up drops what no longer fits, oldest first.
        for n in 200..<260 { dropped += try queue.append(Self.batch(n)) }
        let pending = queue.pendingSamples
        let smaller = try SegmentQueue(directory: scratch.path, maxBytes: 3 << 10, segmentBytes: 1 << 10)
        #expect(smaller.droppedAtOpen > 0)
        #expect(smaller.droppedAtOpen + smaller.pendingSamples == pending)
        #expect(smaller.bytes <= 3 << 10)
    }

    @Test("a torn tail (kill -9 mid-write) is skipped with a note; every batch before it is kept")
    func tornTail() throws {
        let scratch = try Scratch()
        var queue = try SegmentQueue(directory: scratch.path, maxBytes: 1 << 20, segmentBytes: 1 << 20)
        for n in 0..<5 { _ = try queue.append(Self.batch(n)) }
        let name = try #require(scratch.segments().last)
        let handle = try #require(FileHandle(forWritingAtPath: scratch.path + "/" + name))
        try handle.truncate(atOffset: UInt64(scratch.size(name) - 7))
        try handle.close()

        var reopened = try SegmentQueue(directory: scratch.path, maxBytes: 1 << 20)
        #expect(reopened.notes.count == 1)
        #expect(reopened.notes.first?.contains("cut short") == true)
        #expect(reopened.corruptBytes > 0)
        #expect(Self.drain(&reopened) == (0..<4).map { Self.batch($0) })
    }

    @Test("a flipped bit fails the checksum: the batches before it are sent, the damaged rest skipped; foreign files and a damaged cursor do no harm")
    func damage() throws {
        let scratch = try Scratch()
        var queue = try SegmentQueue(directory: scratch.path, maxBytes: 1 << 20, segmentBytes: 1 << 20)
        for n in 0..<6 { _ = try queue.append(Self.batch(n)) }
        _ = queue.next()
        queue.ack()
        let name = try #require(scratch.segments().last)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/" + name)))
        bytes[bytes.count - 40] ^= 0x10  // inside the last record's body
        try Data(bytes).write(to: URL(fileURLWithPath: scratch.path + "/" + name))
        // A file under a segment's name that is not one, and a cursor cut short.
        try Data("not a segment at all".utf8).write(to: URL(fileURLWithPath: scratch.path + "/" + SegmentQueue.segmentName(900)))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: scratch.path + "/" + SegmentQueue.cursorName))

        var reopened = try SegmentQueue(directory: scratch.path, maxBytes: 1 << 20)
        #expect(reopened.notes.contains { $0.contains("checksum mismatch") })
        #expect(reopened.notes.contains { $0.contains("not a queue segment") })
        #expect(reopened.notes.contains { $0.contains("cursor") })
        #expect(!scratch.segments().contains(SegmentQueue.segmentName(900)))
        // The cursor is gone, so batch 0 is sent again (a receiver refuses it as a duplicate at worst).
        #expect(Self.drain(&reopened) == (0..<5).map { Self.batch($0) })
        // New segments go above every name seen, the foreign one's included.
        _ = try reopened.append(Self.batch(6))
        #expect(scratch.segments().last == SegmentQueue.segmentName(901))
    }

    @Test("a full disk (ENOSPC) queues in memory, keeps the order, counts the errors, and returns to disk once memory drains")
    func fullDisk() throws {
        let scratch = try Scratch()
        let opened = try SegmentQueue(directory: scratch.path, maxBytes: 1 << 20, segmentBytes: 1 << 20)
        // The next segments the queue creates land on /dev/full, where every write fails with ENOSPC.
        func link(_ sequence: UInt64) throws {
            try FileManager.default.createSymbolicLink(atPath: scratch.path + "/" + SegmentQueue.segmentName(sequence), withDestinationPath: "/dev/full")
        }
        for sequence in 1...3 { try link(UInt64(sequence)) }
        let queue = ShardQueue(disk: opened, capacity: 1_000, logger: Logger(label: "test"), label: "test")
        #expect(queue.put((0..<5).map { Self.batch($0) }).isEmpty)
        var state = queue.state
        #expect(state.samples == 50)
        #expect(state.diskErrors == 1)  // the first batch failed; the rest followed it to memory
        var taken: [QueuedBatch] = []
        for _ in 0..<3 {
            let next = try #require(queue.take())
            #expect(!next.durable)
            taken.append(next.batch)
            queue.ack()
        }
        // Memory still holds batches: new ones queue behind them, in memory.
        #expect(queue.put([Self.batch(5)]).isEmpty)
        state = queue.state
        #expect(state.diskErrors == 1)
        while state.samples > 0, let next = queue.take() {
            taken.append(next.batch)
            queue.ack()
            state = queue.state
        }
        // Memory drained: the disk is tried again (segment 2 is on /dev/full too).
        #expect(queue.put([Self.batch(6)]).isEmpty)
        #expect(queue.put([Self.batch(7)]).isEmpty)
        let next = try #require(queue.take())
        taken.append(next.batch)
        queue.ack()
        let last = try #require(queue.take())
        taken.append(last.batch)
        queue.ack()
        #expect(taken == (0..<8).map { Self.batch($0) })
        #expect(queue.state.diskErrors >= 2)
        // Once the disk takes writes again, batches are durable.
        for sequence in 1...3 { try? FileManager.default.removeItem(atPath: scratch.path + "/" + SegmentQueue.segmentName(UInt64(sequence))) }
        for n in 8..<40 where queue.state.samples == 0 {
            _ = queue.put([Self.batch(n)])
            let taken = try #require(queue.take())
            queue.ack()
            if taken.durable { return }
        }
        Issue.record("no batch went to disk once the disk took writes again")
    }
}
