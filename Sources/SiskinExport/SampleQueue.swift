import Foundation

/// A shard's bounded queue of series pieces waiting to be sent, in memory.
///
/// Bounded in samples: when full, the oldest pieces are dropped and counted
/// (cumulative counters make a gap harmless to `rate()`: the next sample
/// carries the total). Blocking `take` for the sender thread, waking on new
/// data or on `close()`.
final class SampleQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var pieces: [ExportSeries] = []
    private var head = 0
    private var samples = 0
    private var closed = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Appends `series`; returns the samples dropped to make room.
    func put(_ series: [ExportSeries]) -> Int {
        condition.lock()
        defer {
            condition.signal()
            condition.unlock()
        }
        var dropped = 0
        for piece in series where !piece.samples.isEmpty {
            pieces.append(piece)
            samples += piece.samples.count
        }
        while samples > capacity, head < pieces.count {
            samples -= pieces[head].samples.count
            dropped += pieces[head].samples.count
            head += 1
        }
        compact()
        return dropped
    }

    /// Up to `maxSamples` samples (a piece larger than that is split), waiting
    /// while empty; nil once closed and empty.
    func take(maxSamples: Int) -> [ExportSeries]? {
        condition.lock()
        defer { condition.unlock() }
        while head == pieces.count && !closed { condition.wait() }
        guard head < pieces.count else { return nil }
        var out: [ExportSeries] = []
        var taken = 0
        while head < pieces.count, taken < maxSamples {
            let room = maxSamples - taken
            if pieces[head].samples.count <= room {
                taken += pieces[head].samples.count
                out.append(pieces[head])
                head += 1
            } else {
                out.append(ExportSeries(labels: pieces[head].labels, samples: Array(pieces[head].samples.prefix(room))))
                pieces[head].samples.removeFirst(room)
                taken += room
            }
        }
        samples -= taken
        compact()
        return out
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

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return samples
    }

    /// Wakes the sender: it sends what is queued (without retrying) and stops.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func compact() {
        if head > 1024 && head * 2 > pieces.count {
            pieces.removeFirst(head)
            head = 0
        } else if head == pieces.count {
            pieces.removeAll(keepingCapacity: true)
            head = 0
        }
    }
}
