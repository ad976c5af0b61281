import CCurl

/// A reused libcurl easy handle: one per peer (Envoy, each aggregator), so
/// each keeps its connection alive between scrapes and pushes.
///
/// Not thread-safe: the agent drives each handle from its one loop.
public final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    private let sink = ResponseSink()
    /// libcurl's detailed message for the last failure (CURLOPT_ERRORBUFFER),
    /// e.g. why a certificate was refused, which `curl_easy_strerror` omits.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    public init() throws(HTTPError) {
        guard CurlEasy.globalInit, let handle = curl_easy_init() else {
            throw HTTPError(kind: .other, message: "curl_easy_init failed", url: "")
        }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Performs `request`, handing a 2xx body to `stream` piece by piece as it
    /// arrives (decoded, if gzip), so it is never held whole. Other bodies are
    /// buffered (bounded) and passed to `body` with the response.
    public func perform<R>(
        _ request: HTTPRequest, stream: (UnsafeRawBufferPointer) -> Void,
        body: (HTTPResponse, UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        try withoutActuallyEscaping(stream) { stream in
            sink.consumer = stream
            defer { sink.consumer = nil }
            return try perform(request, body: body)
        }
    }

    /// Performs `request`; the response body is handed to `body` (valid only
    /// during the call), so callers can parse it without copying.
    public func perform<R>(
        _ request: HTTPRequest, body: (HTTPResponse, UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        sink.reset(limit: request.maxResponseBytes)
        curl_easy_reset(handle)
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        if request.method == .post {
            // libcurl would otherwise send "Expect: 100-continue" for larger bodies.
            headerList = curl_slist_append(headerList, "Expect:")
        }

        let code: CURLcode = request.body.withUnsafeBytes { bodyBytes in
            setString(CURLOPT_URL, request.url)
            errorBuffer[0] = 0
            _ = siskin_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
            setLong(CURLOPT_NOSIGNAL, 1)
            setLong(CURLOPT_TCP_KEEPALIVE, 1)
            setLong(CURLOPT_FOLLOWLOCATION, 0)
            setLong(CURLOPT_TIMEOUT_MS, max(1, Int(request.timeoutSeconds * 1000)))
            setLong(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(request.connectTimeoutSeconds * 1000)))
            setString(CURLOPT_USERAGENT, request.userAgent ?? "siskin-agent/\(AgentVersion.current)")
            if let caFile = request.caFile { setString(CURLOPT_CAINFO, caFile) }
            if request.acceptGzip { setString(CURLOPT_ACCEPT_ENCODING, "gzip") }
            if let headerList { _ = siskin_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList) }
            switch request.method {
            case .get:
                setLong(CURLOPT_HTTPGET, 1)
            case .post:
                setLong(CURLOPT_POST, 1)
                _ = siskin_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyBytes.count))
                _ = siskin_curl_setopt_pointer(
                    handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bodyBytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
            let context = Unmanaged.passUnretained(sink).toOpaque()
            _ = siskin_curl_setopt_write_function(handle) { data, size, count, userdata in
                let sink = Unmanaged<ResponseSink>.fromOpaque(userdata!).takeUnretainedValue()
                return sink.append(data, size * count)
            }
            _ = siskin_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
            _ = siskin_curl_setopt_header_function(handle) { data, size, count, userdata in
                let sink = Unmanaged<ResponseSink>.fromOpaque(userdata!).takeUnretainedValue()
                sink.header(data, size * count)
                return size * count
            }
            _ = siskin_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
            return curl_easy_perform(handle)
        }

        guard code == CURLE_OK else {
            throw error(for: code, url: request.url)
        }
        var status = 0
        _ = siskin_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var downloaded: curl_off_t = 0
        _ = siskin_curl_getinfo_off_t(handle, CURLINFO_SIZE_DOWNLOAD_T, &downloaded)
        var total: curl_off_t = 0
        _ = siskin_curl_getinfo_off_t(handle, CURLINFO_TOTAL_TIME_T, &total)
        let response = HTTPResponse(
            status: status, retryAfterSeconds: sink.retryAfterSeconds, contentType: sink.contentType,
            wireBytes: Int(downloaded), bodyBytes: sink.streamedBytes, seconds: Double(total) / 1_000_000)
        return try sink.withBody { try body(response, $0) }
    }

    private func setLong(_ option: CURLoption, _ value: Int) {
        _ = siskin_curl_setopt_long(handle, option, value)
    }

    private func setString(_ option: CURLoption, _ value: String) {
        // libcurl copies string options (since 7.17), so a temporary is fine.
        _ = value.withCString { siskin_curl_setopt_string(handle, option, $0) }
    }

    private func error(for code: CURLcode, url: String) -> HTTPError {
        let message = String(cString: curl_easy_strerror(code))
        let kind: HTTPError.Kind
        switch code {
        case CURLE_COULDNT_CONNECT: kind = .connectionRefused
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .resolve
        case CURLE_WRITE_ERROR where sink.overflowed: kind = .responseTooLarge
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_CRL_BADFILE:
            kind = .tls
        default: kind = .other
        }
        var detail = kind == .responseTooLarge ? "response larger than \(sink.limit) bytes" : message
        if kind == .tls {
            // Say which certificate problem (unknown issuer, name mismatch,
            // expired, unreadable CA file): what an operator needs to fix it.
            let specific = String(cString: errorBuffer)
            if !specific.isEmpty { detail = specific }
        }
        return HTTPError(kind: kind, message: detail, url: url)
    }
}
