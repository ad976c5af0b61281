import SiskinWire
import Synchronization

/// One encoded push, ready to POST.
struct PushBody: Sendable {
    let bytes: [UInt8]
    let sequence: UInt64
}

/// Encoded bodies waiting to be sent: per pod, in push order, with memory
/// bounded per encoder.
///
/// Encoding costs about 75 µs of CPU per push (mostly deflate): at thousands
/// of pushes per second that would take a core away from the aggregator under
/// test, so the tool encodes ahead of the measurement and the senders only
/// take finished bodies. Each encoder owns
/// the pods `p` with `p % encoders == e` and may hold `budget / encoders`
/// bytes; a budget shared by all could deadlock (one encoder filling it with
/// bodies that wait behind another encoder's pods), per-encoder budgets
/// cannot, because every encoder and every sender walks its pods in the same
/// (round, pod) order.
///
/// `@unchecked Sendable`: all mutable state is guarded by `lock`.
final class BodyPool: @unchecked Sendable {
    private struct Queue {
        var items: [PushBody] = []
        var head = 0

        var isEmpty: Bool { head == items.count }

        mutating func push(_ body: PushBody) { items.append(body) }

        mutating func pop() -> PushBody {
            let body = items[head]
            items[head] = PushBody(bytes: [], sequence: 0)
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64 && head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return body
        }
    }

    /// What the encoders have done so far.
    struct Progress: Sendable {
        var encoded = 0
        var encodedBytes = 0
        var uncompressedBytes = 0
        var bufferedBytes = 0
        /// Every encoder is done or waiting for memory.
        var prefilled = false
        var failure: String?
        /// Pods whose frames the fast writer could not reproduce.
        var slowPathPods = 0
    }

    let encoders: Int
    /// Set once bodies are being sent: encoders still running then lower
    /// their priority, so they only use CPU the aggregator leaves idle.
    private let sending = Atomic<Bool>(false)
    private let budgetPerEncoder: Int
    private let lock = ConditionLock()
    private var queues: [Queue]
    private var buffered: [Int]
    private var waitingForMemory: [Bool]
    private var finished: [Bool]
    private var stopped = false
    private var progress = Progress()

    init(pods: Int, encoders: Int, budgetBytes: Int) {
        self.encoders = encoders
        self.budgetPerEncoder = max(1, budgetBytes / encoders)
        self.queues = Array(repeating: Queue(), count: pods)
        self.buffered = Array(repeating: 0, count: encoders)
        self.waitingForMemory = Array(repeating: false, count: encoders)
        self.finished = Array(repeating: false, count: encoders)
    }

    func encoder(ofPod pod: Int) -> Int { pod % encoders }

    /// Adds `pod`'s next body, first waiting while its encoder is over budget.
    /// False once the pool is stopped: the encoder should end.
    func put(_ frame: [UInt8], sequence: UInt64, pod: Int) -> Bool {
        let encoder = encoder(ofPod: pod)
        return lock.withLock {
            while !stopped && buffered[encoder] >= budgetPerEncoder {
                waitingForMemory[encoder] = true
                updatePrefilled()
                lock.wait(seconds: 0.1)
            }
            waitingForMemory[encoder] = false
            guard !stopped else { return false }
            queues[pod].push(PushBody(bytes: frame, sequence: sequence))
            buffered[encoder] += frame.count
            progress.encoded += 1
            progress.encodedBytes += frame.count
            progress.uncompressedBytes += Self.uncompressedSize(of: frame)
            progress.bufferedBytes += frame.count
            lock.broadcast()
            return true
        }
    }

    /// `pod`'s next body, waiting for its encoder if need be. Nil when
    /// `shouldStop` says so first, the pool was stopped, or its encoder has
    /// nothing more. `waited` accumulates the nanoseconds spent waiting.
    func take(pod: Int, waited: inout UInt64, shouldStop: () -> Bool) -> PushBody? {
        let encoder = encoder(ofPod: pod)
        return lock.withLock {
            if queues[pod].isEmpty {
                let start = Monotonic.nanoseconds()
                defer { waited += Monotonic.nanoseconds() - start }
                while queues[pod].isEmpty {
                    if stopped || finished[encoder] || progress.failure != nil || shouldStop() { return nil }
                    lock.wait(seconds: 0.05)
                }
            }
            let body = queues[pod].pop()
            buffered[encoder] -= body.bytes.count
            progress.bufferedBytes -= body.bytes.count
            lock.broadcast()
            return body
        }
    }

    /// A pod's frames go through `SummaryEncoder` because the fast writer
    /// did not match it (slower set-up, same bytes).
    func noteFastPathDisabled() {
        lock.withLock { progress.slowPathPods += 1 }
    }

    /// Frame size before compression, from the header.
    private static func uncompressedSize(of frame: [UInt8]) -> Int {
        guard frame.count >= WireFormat.headerSize else { return frame.count }
        let length = Int(frame[6]) | Int(frame[7]) << 8 | Int(frame[8]) << 16 | Int(frame[9]) << 24
        return length + WireFormat.headerSize
    }

    /// The encoder has produced every planned body of its pods.
    func finish(encoder: Int) {
        lock.withLock {
            finished[encoder] = true
            updatePrefilled()
            lock.broadcast()
        }
    }

    /// An encoder could not encode: nothing more will come.
    func fail(_ message: String) {
        lock.withLock {
            if progress.failure == nil { progress.failure = message }
            lock.broadcast()
        }
    }

    /// Sending starts: from now on encoding must not compete with the
    /// aggregator for CPU.
    func beginSending() {
        sending.store(true, ordering: .relaxed)
    }

    var isSending: Bool { sending.load(ordering: .relaxed) }

    /// Ends all waiting: encoders stop, remaining bodies are dropped.
    func stop() {
        lock.withLock {
            stopped = true
            lock.broadcast()
        }
    }

    var snapshot: Progress { lock.withLock { progress } }

    /// Waits until every encoder is done or out of memory budget (or failed,
    /// or `shouldStop`), calling `report` about every `every` seconds.
    func waitUntilPrefilled(every: Double, shouldStop: () -> Bool, report: (Progress) -> Void) -> Progress {
        var lastReport = Monotonic.nanoseconds()
        while true {
            let current: Progress = lock.withLock {
                if !progress.prefilled && progress.failure == nil { lock.wait(seconds: 0.1) }
                return progress
            }
            if current.prefilled || current.failure != nil || shouldStop() { return current }
            let now = Monotonic.nanoseconds()
            if Monotonic.seconds(from: lastReport, to: now) >= every {
                report(current)
                lastReport = now
            }
        }
    }

    private func updatePrefilled() {
        progress.prefilled = (0..<encoders).allSatisfy { finished[$0] || waitingForMemory[$0] }
    }
}

/// An encoder thread's work: its pods' generators, `rounds` summaries each,
/// round by round (every pod's first push, then every pod's second...), the
/// order the senders consume them in.
struct EncoderJob: Sendable {
    let index: Int
    let pods: [Int]
    var generators: [PodGenerator]
    let rounds: Int
    /// Compare every fast frame with `SummaryEncoder`'s, not just the first.
    let verifyAll: Bool

    func run(into pool: BodyPool) {
        var encoders = generators.map { _ in PodEncoder(verifyAll: verifyAll) }
        var generators = self.generators
        var lowered = false
        for _ in 0..<rounds {
            for slot in generators.indices {
                // Full speed while pre-filling (nothing is sent yet, and a
                // busy machine would otherwise starve the set-up); whatever
                // is left once sending starts may use only idle CPU.
                if !lowered && pool.isSending {
                    WorkerThread.lowerCurrentPriority()
                    lowered = true
                }
                generators[slot].step()
                let frame: [UInt8]
                do {
                    frame = try encoders[slot].encode(generators[slot], pool: pool)
                } catch {
                    pool.fail("cannot encode a summary of \(generators[slot].namespace)/\(generators[slot].pod): \(error)")
                    return
                }
                generators[slot].recordEncoded(bytes: frame.count)
                guard pool.put(frame, sequence: generators[slot].sequence, pod: pods[slot]) else { return }
            }
        }
        pool.finish(encoder: index)
    }
}

/// Encodes one pod's frames: through `FastFrameWriter` once it has matched
/// `SummaryEncoder` on the pod's first frames, through `SummaryEncoder`
/// otherwise. Frames are identical either way.
struct PodEncoder {
    private enum State {
        case unbuilt
        case checking(FastFrameWriter, matchesLeft: Int)
        case ready(FastFrameWriter)
        case disabled
    }

    /// Frames compared with `SummaryEncoder` before the writer is trusted.
    private let checks: Int
    private var state = State.unbuilt
    private let reference = SummaryEncoder()
    private let uncompressed = SummaryEncoder(compressionLevel: 0)

    init(verifyAll: Bool) {
        checks = verifyAll ? Int.max : 2
    }

    mutating func encode(_ generator: PodGenerator, pool: BodyPool) throws -> [UInt8] {
        if case .unbuilt = state {
            let frame = try uncompressed.encode(generator.summary(placeholders: true)).bytes
            if let writer = FastFrameWriter(reference: frame, template: generator.template) {
                state = .checking(writer, matchesLeft: checks)
            } else {
                state = .disabled
                pool.noteFastPathDisabled()
            }
        }
        switch state {
        case .ready(let writer):
            if let payload = writer.payload(of: generator) { return try Self.frame(compressing: payload) }
        case .checking(let writer, let left):
            guard let payload = writer.payload(of: generator) else { break }
            let expected = try uncompressed.encode(generator.summary()).bytes
            guard expected.count == payload.count + WireFormat.headerSize,
                expected[WireFormat.headerSize...].elementsEqual(payload)
            else {
                state = .disabled
                pool.noteFastPathDisabled()
                return try Self.frame(compressing: Array(expected[WireFormat.headerSize...]))
            }
            state = left > 1 ? .checking(writer, matchesLeft: left - 1) : .ready(writer)
            return try Self.frame(compressing: payload)
        case .unbuilt, .disabled:
            break
        }
        return Self.tight(try reference.encode(generator.summary()).bytes)
    }

    /// Header plus the payload deflated exactly as `SummaryEncoder` does.
    private static func frame(compressing payload: [UInt8]) throws -> [UInt8] {
        let compressed = try Zlib.deflate(
            payload, level: Int32(SummaryEncoder.defaultCompressionLevel), format: .zlib,
            windowBits: WireFormat.windowBits, memLevel: WireFormat.memLevel)
        let header = FrameHeader(isCompressed: true, uncompressedLength: payload.count).bytes
        return [UInt8](unsafeUninitializedCapacity: header.count + compressed.count) { buffer, count in
            _ = buffer.initialize(fromContentsOf: header)
            _ = buffer[header.count...].initialize(fromContentsOf: compressed)
            count = header.count + compressed.count
        }
    }

    /// A copy without spare capacity: zlib's output buffer is sized for the
    /// worst case, about twice the frame, and hundreds of thousands of
    /// buffered bodies would carry that slack.
    private static func tight(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, count in
            _ = buffer.initialize(fromContentsOf: bytes)
            count = bytes.count
        }
    }
}
