import Foundation

/// Runs blocking work (libcurl, a child process, a browser) on a thread of
/// its own and awaits it: on Swift concurrency's few cooperative threads it
/// would starve the in-process servers the tests talk to.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
