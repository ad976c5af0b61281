#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A raw pthread running a closure: the simulator has no Foundation, and a blocking
/// thread per connection must not starve Dispatch's or Swift concurrency's pools.
public struct PosixThread: Sendable {
    #if canImport(Darwin)
    private let handle: pthread_t?
    #else
    private let handle: pthread_t
    #endif

    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts `body` on a new thread. A detached thread cleans up after itself; a joinable
    /// one must be `join`ed exactly once.
    @discardableResult
    public static func start(detached: Bool, _ body: @escaping @Sendable () -> Void) throws(ServingError) -> PosixThread {
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        #if canImport(Darwin)
        var handle: pthread_t?
        #else
        var handle = pthread_t()
        #endif
        let result = pthread_create(&handle, nil, { raw in
            #if canImport(Darwin)
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            #else
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            #endif
            box.body()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            throw ServingError("pthread_create", code: result)
        }
        if detached {
            #if canImport(Darwin)
            pthread_detach(handle!)
            #else
            pthread_detach(handle)
            #endif
        }
        return PosixThread(handle: handle)
    }

    /// Waits for the thread to end.
    public func join() {
        #if canImport(Darwin)
        pthread_join(handle!, nil)
        #else
        pthread_join(handle, nil)
        #endif
    }
}
