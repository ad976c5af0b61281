import SiskinSimulator

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex with one condition variable.
///
/// `Synchronization.Mutex` has no condition variable, and the body pool needs
/// senders to sleep until an encoder has produced their next body (and
/// encoders until senders have freed memory) without spinning. The pthread
/// objects live in allocated memory because they must never move.
///
/// `@unchecked Sendable`: every access to state guarded by this lock goes
/// through `withLock`, which is the point of the type.
final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Sleeps until `broadcast` or until `seconds` have passed; call only
    /// inside `withLock`. Waits are bounded so callers re-check deadlines and
    /// the stop flag even if nobody signals.
    func wait(seconds: Double) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let nanos = Int(now.tv_nsec) + Int(seconds * 1e9)
        var until = timespec(tv_sec: now.tv_sec + nanos / 1_000_000_000, tv_nsec: nanos % 1_000_000_000)
        _ = pthread_cond_timedwait(condition, mutex, &until)
    }

    /// Wakes every waiter; call inside `withLock`.
    func broadcast() {
        pthread_cond_broadcast(condition)
    }
}

/// A joinable pthread running a closure.
///
/// Each connection blocks in libcurl and each encoder in zlib: they need real
/// threads of their own, not tasks on Swift concurrency's small cooperative
/// pool, which blocking calls would starve.
final class WorkerThread {
    private let thread: PosixThread

    /// Starts `body` on a new thread; `join` it exactly once.
    init(name: String, _ body: @escaping @Sendable () -> Void) throws {
        do {
            thread = try PosixThread.start(detached: false, body)
        } catch {
            throw LoadError("cannot start thread \(name): \(error)")
        }
    }

    func join() {
        thread.join()
    }

    /// Lowers the calling thread's CPU priority as far as it goes.
    ///
    /// Encoders that still run while bodies are sent must only use CPU the
    /// aggregator leaves idle; otherwise the tool would measure its own zlib.
    /// On Linux the nice value is per thread, and `setpriority` with id 0
    /// changes only the calling thread.
    static func lowerCurrentPriority() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        #elseif canImport(Darwin)
        _ = pthread_set_qos_class_self_np(QOS_CLASS_BACKGROUND, 0)
        #endif
    }
}

/// Monotonic time in nanoseconds: latencies and pacing must not jump with
/// the wall clock.
enum Monotonic {
    static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    static func seconds(from start: UInt64, to end: UInt64) -> Double {
        Double(end &- start) / 1e9
    }

    /// Sleeps until `deadline` (monotonic nanoseconds), in slices of at most
    /// 100 ms so a stop request is noticed quickly.
    static func sleep(until deadline: UInt64, unless stop: () -> Bool) {
        while !stop() {
            let now = nanoseconds()
            guard deadline > now else { return }
            let left = min(deadline - now, 100_000_000)
            var request = timespec(tv_sec: Int(left / 1_000_000_000), tv_nsec: Int(left % 1_000_000_000))
            var remaining = timespec()
            _ = nanosleep(&request, &remaining)
        }
    }
}

/// A failure the tool reports in one line and exits on.
struct LoadError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
