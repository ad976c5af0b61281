import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGTERM/SIGINT set a flag the agent loop polls: the handler only stores an
/// atomic (async-signal-safe); the loop does the final scrape and push.
public enum StopSignal {
    private static let requested = Atomic<Bool>(false)

    public static var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Asks the loop to stop (tests, and the signal handler).
    public static func request() { requested.store(true, ordering: .relaxed) }

    /// For tests that run several loops in one process.
    public static func clear() { requested.store(false, ordering: .relaxed) }

    public static func install() {
        signal(SIGTERM) { _ in StopSignal.request() }
        signal(SIGINT) { _ in StopSignal.request() }
        signal(SIGPIPE, SIG_IGN)
        // A parent may hand us a blocked signal mask (threads of runtimes that
        // block signals pass it on to what they spawn); SIGTERM must get through.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}

/// Stops one agent loop (tests run several in one process; the signal
/// handler's flag stops them all).
public final class StopHandle: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func request() { flag.store(true, ordering: .relaxed) }

    public var isRequested: Bool { flag.load(ordering: .relaxed) || StopSignal.isRequested }
}
