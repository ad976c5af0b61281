/// The four `istio_tcp_*` counters of one label set.
public struct TCPCounts: Sendable, Hashable {
    /// `istio_tcp_connections_opened_total`.
    public internal(set) var connectionsOpened: UInt64
    /// `istio_tcp_connections_closed_total`.
    public internal(set) var connectionsClosed: UInt64
    /// `istio_tcp_sent_bytes_total` (bytes from destination to source).
    public internal(set) var sentBytes: UInt64
    /// `istio_tcp_received_bytes_total` (bytes from source to destination).
    public internal(set) var receivedBytes: UInt64

    public init(connectionsOpened: UInt64 = 0, connectionsClosed: UInt64 = 0, sentBytes: UInt64 = 0, receivedBytes: UInt64 = 0) {
        self.connectionsOpened = connectionsOpened
        self.connectionsClosed = connectionsClosed
        self.sentBytes = sentBytes
        self.receivedBytes = receivedBytes
    }

    /// Adds another set of counters (for deltas and totals).
    public mutating func add(_ other: TCPCounts) {
        connectionsOpened &+= other.connectionsOpened
        connectionsClosed &+= other.connectionsClosed
        sentBytes &+= other.sentBytes
        receivedBytes &+= other.receivedBytes
    }

    /// True when nothing has happened yet (the series would not exist in Envoy).
    public var isZero: Bool {
        connectionsOpened == 0 && connectionsClosed == 0 && sentBytes == 0 && receivedBytes == 0
    }
}
