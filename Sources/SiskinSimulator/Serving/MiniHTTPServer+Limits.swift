extension MiniHTTPServer {
    /// Bounds on what one connection may send and how long it may idle.
    public struct Limits: Sendable, Hashable {
        /// Request line plus header fields; more gets 431 and the connection closes.
        public var maxHeaderBytes: Int
        /// `Content-Length` above this gets 413 and the connection closes.
        public var maxBodyBytes: Int
        /// A connection with no complete request for this long is closed (0 = never).
        public var idleTimeoutSeconds: Double
        /// A send blocked this long (peer not reading) closes the connection (0 = never).
        public var sendTimeoutSeconds: Double

        public init(
            maxHeaderBytes: Int = 64 << 10, maxBodyBytes: Int = 64 << 20, idleTimeoutSeconds: Double = 300,
            sendTimeoutSeconds: Double = 60
        ) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.sendTimeoutSeconds = sendTimeoutSeconds
        }
    }
}
