/// A failed system call while setting up or running a server (socket, bind, listen,
/// thread creation), with the `errno` it left.
public struct ServingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The call that failed, e.g. `"bind 127.0.0.1:15090"`.
    public let operation: String
    /// `errno` right after the failure.
    public let code: Int32

    public init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation) failed (errno \(code))" }
}
