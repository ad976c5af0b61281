import SiskinSync
import Synchronization

/// A background thread that runs a step every `interval` wall-clock seconds on
/// a schedule that does not drift (a late step is caught up): the simulated
/// clock of `FakeEnvoy` and `FakeMesh`, so simulated time tracks real time.
final class Ticker: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let thread = Mutex<PosixThread?>(nil)

    /// Starts calling `step` (replacing a running schedule) until `stop()`,
    /// or until `step` returns false (its owner is gone).
    func start(every interval: Double, _ step: @escaping @Sendable () -> Bool) throws(ServingError) {
        precondition(interval > 0 && interval.isFinite, "tick must be positive")
        stop()
        stopping.store(false, ordering: .sequentiallyConsistent)
        let started = try PosixThread.start(detached: false) { [self] in
            var deadline = MonotonicClock.now() + interval
            while InterruptibleSleep.sleep(seconds: deadline - MonotonicClock.now(),
                                           until: { self.stopping.load(ordering: .sequentiallyConsistent) }),
                  step() {
                deadline += interval
            }
        }
        thread.locked { $0 = started }
    }

    /// Stops the schedule and waits for its thread, if one runs.
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        let running = thread.locked { current in
            let running = current
            current = nil
            return running
        }
        running?.join()
    }
}
