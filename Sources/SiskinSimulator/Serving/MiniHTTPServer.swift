import SiskinSync
import Synchronization

/// A small blocking HTTP/1.1 server on 127.0.0.1 for tests and local load: the fake
/// Envoy admin listener, `siskin-sim serve`, and push receivers in agent tests.
///
/// One thread accepts; each connection gets its own thread and may carry any number of
/// requests (keep-alive, pipelining) until the client closes or asks to. Request bodies
/// are framed by `Content-Length` only: chunked uploads get 411. Oversized heads get 431
/// and oversized bodies 413; anything unparsable gets 400 and the connection closes. No
/// input can crash the server. Responses always carry `Content-Length`.
///
/// Call `stop()` when done: the running threads keep the server alive until then.
public final class MiniHTTPServer: Sendable {
    /// The port bound on 127.0.0.1 (the ephemeral one picked when `port` was 0).
    public let port: UInt16
    /// Size and time bounds applied to every connection.
    public let limits: Limits

    let handler: @Sendable (Request) -> Response
    private let listenDescriptor: Int32
    private let stopped = Atomic<Bool>(false)
    private let served = Atomic<Int>(0)
    private let accepted = Atomic<Int>(0)
    private let registry = Mutex(Registry())

    private struct Registry: ~Copyable {
        var clients: Set<Int32> = []
        var activeConnections = 0
        var acceptThread: PosixThread?
    }

    /// Binds 127.0.0.1:`port` (0 = any free port) and starts serving `handler`, which is
    /// called concurrently from connection threads.
    public init(
        port: UInt16 = 0, limits: Limits = Limits(), handler: @escaping @Sendable (Request) -> Response
    ) throws(ServingError) {
        let (descriptor, boundPort) = try Socket.listen(port: port)
        self.listenDescriptor = descriptor
        self.port = boundPort
        self.limits = limits
        self.handler = handler
        do {
            let thread = try PosixThread.start(detached: false) { [self] in acceptLoop() }
            registry.locked { $0.acceptThread = thread }
        } catch {
            stopped.store(true, ordering: .sequentiallyConsistent)
            Socket.closeDescriptor(descriptor)
            throw error
        }
    }

    /// Requests answered so far (counted when the response is about to be sent).
    public var requestsServed: Int { served.load(ordering: .sequentiallyConsistent) }
    /// Connections accepted so far: with keep-alive, far fewer than requests.
    public var connectionsAccepted: Int { accepted.load(ordering: .sequentiallyConsistent) }

    /// Connections currently open.
    public var activeConnections: Int { registry.locked { $0.activeConnections } }

    /// Whether `stop()` was called.
    public var isStopped: Bool { stopped.load(ordering: .sequentiallyConsistent) }

    /// Closes the listener (new connections are refused) and every open connection
    /// (responses being delayed are abandoned), then waits up to two seconds for the
    /// connection threads to finish. Idempotent. Do not call it from a handler: it would
    /// wait on its own thread (harmlessly, until the two seconds pass).
    public func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        Socket.shutdownBoth(listenDescriptor)
        let acceptThread = registry.locked { registry in
            let thread = registry.acceptThread
            registry.acceptThread = nil
            return thread
        }
        acceptThread?.join()
        Socket.closeDescriptor(listenDescriptor)
        registry.locked { registry in
            for client in registry.clients { Socket.shutdownBoth(client) }
        }
        let deadline = MonotonicClock.now() + 2
        while activeConnections > 0 && MonotonicClock.now() < deadline {
            InterruptibleSleep.nap(0.001)
        }
    }

    // MARK: Accepting

    private func acceptLoop() {
        while !isStopped {
            guard let client = Socket.accept(listenDescriptor) else {
                if isStopped { return }
                // EMFILE and friends: back off instead of spinning; the listener stays up.
                InterruptibleSleep.nap(0.01)
                continue
            }
            let registered = registry.locked { registry in
                guard !stopped.load(ordering: .sequentiallyConsistent) else { return false }
                registry.clients.insert(client)
                registry.activeConnections += 1
                accepted.add(1, ordering: .sequentiallyConsistent)
                return true
            }
            guard registered else {
                Socket.closeDescriptor(client)
                return
            }
            Socket.configureConnection(
                client, idleTimeoutSeconds: limits.idleTimeoutSeconds, sendTimeoutSeconds: limits.sendTimeoutSeconds)
            do {
                try PosixThread.start(detached: true) { [self] in
                    serveConnection(client)
                    finishConnection(client)
                }
            } catch {
                finishConnection(client)
            }
        }
    }

    /// Half-closes, drains what the client still sends (so the last response is not lost
    /// to a reset), then releases the descriptor.
    private func finishConnection(_ client: Int32) {
        Socket.lingeringClose(client)
        registry.locked { registry in
            registry.clients.remove(client)
            registry.activeConnections -= 1
        }
        Socket.closeDescriptor(client)
    }

    func countServed() {
        served.add(1, ordering: .sequentiallyConsistent)
    }
}
