import Synchronization

#if SISKIN_TSAN
import CThreadSanitizer
#endif

extension Mutex where Value: ~Copyable {
    /// `withLock`, with the lock's hand-over told to ThreadSanitizer.
    ///
    /// On Linux a contended `Mutex` passes from one thread to the next inside
    /// the kernel (a priority-inheritance futex): the waiter returns from the
    /// system call owning the lock, with no atomic operation TSan could see,
    /// so TSan reports the state the lock guards as raced. In ThreadSanitizer
    /// builds (`SISKIN_TSAN`, `scripts/sanitize thread`) each critical section
    /// acquires and releases the lock's address for TSan; in every
    /// other build this is `withLock` exactly. Siskin's code locks with this.
    @inlinable
    public borrowing func locked<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        #if SISKIN_TSAN
        // The lock's own address: taking the guarded value's would itself be
        // an access before the acquire.
        let address = withUnsafePointer(to: self) { UnsafeMutableRawPointer(mutating: $0) }
        return try withLock { (value: inout sending Value) throws(E) -> sending Result in
            __tsan_acquire(address)
            defer { __tsan_release(address) }
            return try body(&value)
        }
        #else
        return try withLock(body)
        #endif
    }
}
