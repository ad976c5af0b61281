#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sleeps that end early when asked: the server's response delays and the fake Envoy's
/// clock must not keep `stop()` waiting.
enum InterruptibleSleep {
    /// Sleeps `seconds` in slices of at most 10 ms, returning early (false) as soon as
    /// `shouldStop` says so; true if the full duration elapsed.
    @discardableResult
    static func sleep(seconds: Double, until shouldStop: () -> Bool) -> Bool {
        guard seconds > 0, seconds.isFinite else { return !shouldStop() }
        let deadline = MonotonicClock.now() + seconds
        while true {
            if shouldStop() { return false }
            let left = deadline - MonotonicClock.now()
            if left <= 0 { return true }
            nap(min(left, 0.01))
        }
    }

    /// Sleeps `seconds` (no early exit).
    static func nap(_ seconds: Double) {
        var request = timespec()
        request.tv_sec = .init(seconds.rounded(.down))
        request.tv_nsec = .init((seconds - seconds.rounded(.down)) * 1e9)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}

/// Seconds on `CLOCK_MONOTONIC`.
enum MonotonicClock {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
