extension MiniHTTPServer {
    /// Serves requests on one accepted connection until either side closes it.
    func serveConnection(_ fd: Int32) {
        var buffer: [UInt8] = []
        var scanned = 0  // bytes of `buffer` known to hold no CRLF CRLF
        while !isStopped {
            // 1. The head.
            guard let headEnd = Self.endOfHead(in: buffer, from: scanned) else {
                if buffer.count > limits.maxHeaderBytes + 3 {
                    reject(fd, status: 431, "request head larger than \(limits.maxHeaderBytes) bytes")
                    return
                }
                scanned = max(0, buffer.count - 3)
                guard let received = Socket.receive(fd, appendingTo: &buffer, upTo: 65_536), received > 0 else {
                    return  // closed, timed out or stopped
                }
                continue
            }
            if headEnd > limits.maxHeaderBytes {
                reject(fd, status: 431, "request head larger than \(limits.maxHeaderBytes) bytes")
                return
            }
            let head: RequestHead
            do {
                head = try RequestHead.parse(buffer[..<headEnd])
            } catch {
                reject(fd, status: error.status, error.message)
                return
            }
            guard head.contentLength <= limits.maxBodyBytes else {
                reject(fd, status: 413, "request body larger than \(limits.maxBodyBytes) bytes")
                return
            }

            // 2. The body.
            let bodyStart = headEnd + 4
            let bodyEnd = bodyStart + head.contentLength
            if head.expectsContinue && buffer.count < bodyEnd {
                guard Socket.sendAll(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return }
            }
            while buffer.count < bodyEnd {
                guard let received = Socket.receive(fd, appendingTo: &buffer, upTo: min(bodyEnd - buffer.count, 1 << 20)),
                    received > 0
                else { return }
            }
            let request = Request(
                method: head.method, path: head.path, query: head.query, headers: head.headers,
                body: Array(buffer[bodyStart..<bodyEnd]), version: head.version)
            buffer.removeSubrange(..<bodyEnd)
            scanned = 0

            // 3. The response.
            let response = handler(request)
            if response.delaySeconds > 0 {
                InterruptibleSleep.sleep(seconds: response.delaySeconds) { isStopped }
            }
            if isStopped { return }
            let keepAlive = head.keepAlive && !response.closeConnection
            countServed()
            guard send(response, to: fd, keepAlive: keepAlive, http10: head.version == "HTTP/1.0",
                       includeBody: head.method != "HEAD"),
                keepAlive
            else { return }
        }
    }

    /// Index of the CRLF CRLF ending the head, searching from `start`.
    static func endOfHead(in buffer: [UInt8], from start: Int) -> Int? {
        guard buffer.count >= 4 else { return nil }
        var index = max(0, start)
        while index + 3 < buffer.count {
            if buffer[index + 3] != 10 {
                index += buffer[index + 3] == 13 ? 1 : 4
                continue
            }
            if buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 {
                return index
            }
            index += 1
        }
        return nil
    }

    private func send(_ response: Response, to fd: Int32, keepAlive: Bool, http10: Bool, includeBody: Bool) -> Bool {
        let head = response.head(keepAlive: keepAlive, http10: http10)
        // Small bodies go out with the head in one segment.
        if includeBody && response.body.count <= 16_384 {
            return Socket.sendAll(fd, head + response.body)
        }
        guard Socket.sendAll(fd, head) else { return false }
        return includeBody ? Socket.sendAll(fd, response.body) : true
    }

    /// Answers a request that cannot be served and gives up on the connection.
    private func reject(_ fd: Int32, status: Int, _ message: String) {
        countServed()
        _ = send(Response(status: status, text: message + "\n"), to: fd, keepAlive: false, http10: false, includeBody: true)
    }
}
