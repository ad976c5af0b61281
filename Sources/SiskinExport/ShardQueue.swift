import Foundation
import Logging
import SiskinStore

/// Why queued samples were dropped before the receiver saw them (the
/// `reason` label of `siskin_remote_write_samples_dropped_total`).
public enum DropReason: String, Sendable, Hashable, CaseIterable {
    /// The in-memory queue (`--remote-write-queue-capacity` samples per
    /// shard) was full: the oldest batches went.
    case queueFull = "queue_full"
    /// The queue on disk (`--remote-write-queue-max-bytes` per endpoint)
    /// was full: the oldest segment went.
    case diskLimit = "disk_limit"
    /// Queued on disk under another `--remote-write-shards`: the series no
    /// longer map to the same shards, so sending them could reorder samples.
    case reconfigured
}

/// A shard's queue of encoded batches: on disk (`SegmentQueue`) when the
/// server has a data directory, in memory otherwise, and in memory while
/// the disk refuses writes (a full disk degrades, never crashes).
///
/// Order is kept across the two: a batch goes to disk only while nothing
/// waits in memory, and the disk is read first, so every batch on disk is
/// older than every batch in memory. The memory part is bounded in samples
/// (`capacity`), dropping the oldest; the disk part in bytes. One sender
/// thread takes a batch, sends it, and acknowledges it (`ack`) once
/// delivered or refused for good; a batch from disk that is never
/// acknowledged (a crash, a shutdown while retrying) is sent again after a
/// restart.
final class ShardQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var disk: SegmentQueue?
    private var memory: [QueuedBatch] = []
    private var head = 0
    private var memorySamples = 0
    private var memoryBytes = 0
    private var closed = false
    private var diskFailing = false
    private var inFlightOnDisk = false
    let capacity: Int
    private let logger: Logger
    private let label: String
    private(set) var diskErrors = 0

    /// A memory-only queue of at most `capacity` samples.
    init(capacity: Int, logger: Logger, label: String = "") {
        self.capacity = capacity
        self.logger = logger
        self.label = label
    }

    /// A queue backed by `disk` (memory only while the disk fails).
    init(disk: SegmentQueue, capacity: Int, logger: Logger, label: String) {
        self.disk = disk
        self.capacity = capacity
        self.logger = logger
        self.label = label
        logNotes()
    }

    /// Appends `batches`; returns the samples dropped to make room, by reason.
    func put(_ batches: [QueuedBatch]) -> [DropReason: Int] {
        condition.lock()
        defer {
            condition.signal()
            condition.unlock()
        }
        var dropped: [DropReason: Int] = [:]
        for batch in batches where batch.samples > 0 {
            if disk != nil, head == memory.count {
                do throws(PersistenceError) {
                    let limited = try disk!.append(batch)
                    if limited > 0 { dropped[.diskLimit, default: 0] += limited }
                    if diskFailing {
                        diskFailing = false
                        logger.notice("remote write queue: writing to disk again", metadata: ["queue": "\(label)"])
                    }
                    continue
                } catch {
                    diskErrors += 1
                    if !diskFailing {
                        diskFailing = true
                        logger.error("remote write queue: cannot write to disk; queueing in memory until it drains", metadata: [
                            "queue": "\(label)", "error": "\(error)", "disk_full": "\(error.isDiskFull)",
                        ])
                    }
                }
            }
            memory.append(batch)
            memorySamples += batch.samples
            memoryBytes += batch.body.count
            while memorySamples > capacity, head < memory.count {
                dropped[.queueFull, default: 0] += memory[head].samples
                memorySamples -= memory[head].samples
                memoryBytes -= memory[head].body.count
                head += 1
            }
        }
        compact()
        logNotes()
        return dropped
    }

    /// The next batch, waiting while there is none; nil once closed (after
    /// what waits in memory: it would be lost, so it gets one attempt).
    /// `durable` says whether it is on disk (and comes back after a restart
    /// unless acknowledged).
    func take() -> (batch: QueuedBatch, durable: Bool)? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if !closed, disk != nil, let batch = disk!.next() {
                inFlightOnDisk = true
                logNotes()
                return (batch, true)
            }
            if head < memory.count {
                let batch = memory[head]
                head += 1
                memorySamples -= batch.samples
                memoryBytes -= batch.body.count
                compact()
                inFlightOnDisk = false
                return (batch, false)
            }
            if closed { return nil }
            condition.wait()
        }
    }

    /// The batch last taken was delivered or refused for good.
    func ack() {
        condition.lock()
        defer { condition.unlock() }
        if inFlightOnDisk {
            disk?.ack()
            inFlightOnDisk = false
            logNotes()
        }
    }

    /// Waits up to `seconds` unless closed first; returns whether closed.
    func sleep(seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(seconds)
        while !closed, condition.wait(until: deadline) {}
        return closed
    }

    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// Samples waiting (on disk and in memory), bytes (files on disk plus
    /// encoded batches in memory), and bytes skipped as damaged.
    var state: (samples: Int, bytes: Int64, corruptBytes: Int64, diskErrors: Int) {
        condition.lock()
        defer { condition.unlock() }
        return ((disk?.pendingSamples ?? 0) + memorySamples, (disk?.bytes ?? 0) + Int64(memoryBytes),
                disk?.corruptBytes ?? 0, diskErrors)
    }

    var count: Int { state.samples }

    /// Wakes the sender: it stops after what waits in memory (what is on
    /// disk stays for the next start).
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func compact() {
        if head > 1024 && head * 2 > memory.count {
            memory.removeFirst(head)
            head = 0
        } else if head == memory.count {
            memory.removeAll(keepingCapacity: true)
            head = 0
        }
    }

    /// Logs what the disk queue noted (torn tails, damaged segments).
    private func logNotes() {
        guard let notes = disk?.notes, !notes.isEmpty else { return }
        for note in notes {
            logger.warning("remote write queue: \(note)", metadata: ["queue": "\(label)"])
        }
        disk?.notes.removeAll()
    }
}
