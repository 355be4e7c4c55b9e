import CCurl
import Foundation

/// Owns one libcurl easy handle and frees it on deinit. Not thread-safe: `HTTPClient` serialises use.
final class CurlHandle {
    enum Outcome {
        case response(status: Int, headers: [String: String], body: [UInt8])
        case failure(message: String, timedOut: Bool)
        case invalid(String)
        /// The body passed `HTTPRequest.maxResponseBytes`.
        case tooLarge(limit: Int)
    }

    private let raw: UnsafeMutableRawPointer

    init?() {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
    }

    deinit { curl_easy_cleanup(raw) }

    /// Collects what curl's callbacks deliver for one transfer.
    private final class Sink {
        var body: [UInt8] = []
        var limit = Int.max
        var exceeded = false
        var headers: [String: String] = [:]

        func addHeaderLine(_ line: String) {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            // A new status line starts a new response (after 100-continue or a redirect).
            if trimmed.hasPrefix("HTTP/") {
                headers.removeAll()
                return
            }
            guard let colon = trimmed.firstIndex(of: ":") else { return }
            let name = trimmed[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = value
        }
    }

    func perform(_ request: HTTPRequest, configuration: HTTPClientConfiguration) -> Outcome {
        // reset keeps the connection cache, so keep-alive survives between requests.
        curl_easy_reset(raw)
        let sink = Sink()
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { if let headerList { curl_slist_free_all(headerList) } }

        var setupError: CURLcode = CURLE_OK
        func check(_ code: CURLcode) { if code != CURLE_OK && setupError == CURLE_OK { setupError = code } }

        check(mnt_curl_setopt_string(raw, CURLOPT_URL, request.url))
        check(mnt_curl_setopt_long(raw, CURLOPT_NOSIGNAL, 1))
        check(mnt_curl_setopt_long(raw, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(configuration.connectTimeout * 1000))))
        check(mnt_curl_setopt_long(raw, CURLOPT_TIMEOUT_MS, max(1, Int(configuration.totalTimeout * 1000))))
        check(mnt_curl_setopt_string(raw, CURLOPT_USERAGENT, configuration.userAgent))
        check(mnt_curl_setopt_string(raw, CURLOPT_ACCEPT_ENCODING, ""))
        check(mnt_curl_setopt_long(raw, CURLOPT_FOLLOWLOCATION, 0))
        // Only plain HTTP(S): no file://, no other protocols reachable through a crafted URL.
        check(mnt_curl_setopt_string(raw, CURLOPT_PROTOCOLS_STR, "http,https"))

        if let limit = request.maxResponseBytes {
            sink.limit = limit
            // A declared Content-Length over the limit is refused before any byte of the body.
            check(mnt_curl_setopt_long(raw, CURLOPT_MAXFILESIZE, limit))
        }

        let method = request.method.uppercased()
        switch method {
        case "GET":
            check(mnt_curl_setopt_long(raw, CURLOPT_HTTPGET, 1))
        case "POST", "PUT", "PATCH":
            // A body goes through POSTFIELDS; CUSTOMREQUEST renames the verb for PUT and PATCH
            // (MLflow's artifact proxy takes uploads as PUT).
            let body = request.body ?? []
            check(mnt_curl_setopt_long(raw, CURLOPT_POST, 1))
            if method != "POST" { check(mnt_curl_setopt_string(raw, CURLOPT_CUSTOMREQUEST, method)) }
            check(mnt_curl_setopt_long(raw, CURLOPT_POSTFIELDSIZE, body.count))
            body.withUnsafeBytes { bytes in
                // COPYPOSTFIELDS copies the bytes, so the buffer need not outlive this call.
                check(
                    mnt_curl_setopt_pointer(
                        raw, CURLOPT_COPYPOSTFIELDS,
                        UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)))
            }
        default:
            check(mnt_curl_setopt_string(raw, CURLOPT_CUSTOMREQUEST, request.method))
        }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        if request.body != nil || method == "POST" {
            // Without this curl sends "Expect: 100-continue" for large bodies and waits for it.
            headerList = curl_slist_append(headerList, "Expect:")
        }
        if let headerList { check(mnt_curl_setopt_slist(raw, CURLOPT_HTTPHEADER, headerList)) }

        check(
            mnt_curl_setopt_callback(
                raw, CURLOPT_WRITEFUNCTION,
                { data, size, count, userdata in
                    let sink = Unmanaged<Sink>.fromOpaque(userdata!).takeUnretainedValue()
                    let length = size * count
                    // Returning less than was delivered makes curl abort the transfer.
                    guard sink.body.count + length <= sink.limit else {
                        sink.exceeded = true
                        return 0
                    }
                    if let data {
                        data.withMemoryRebound(to: UInt8.self, capacity: length) {
                            sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
                        }
                    }
                    return length
                }))
        check(mnt_curl_setopt_pointer(raw, CURLOPT_WRITEDATA, sinkPointer))
        check(
            mnt_curl_setopt_callback(
                raw, CURLOPT_HEADERFUNCTION,
                { data, size, count, userdata in
                    let sink = Unmanaged<Sink>.fromOpaque(userdata!).takeUnretainedValue()
                    let length = size * count
                    if let data {
                        let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
                            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                        }
                        sink.addHeaderLine(line)
                    }
                    return length
                }))
        check(mnt_curl_setopt_pointer(raw, CURLOPT_HEADERDATA, sinkPointer))

        guard setupError == CURLE_OK else {
            return .invalid("\(String(cString: curl_easy_strerror(setupError))) (\(request.method) \(request.url))")
        }
        let code = withExtendedLifetime(sink) { curl_easy_perform(raw) }
        if sink.exceeded || code == CURLE_FILESIZE_EXCEEDED, let limit = request.maxResponseBytes {
            return .tooLarge(limit: limit)
        }
        guard code == CURLE_OK else {
            let timedOut = code == CURLE_OPERATION_TIMEDOUT
            if code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL {
                return .invalid("\(String(cString: curl_easy_strerror(code))): \(request.url)")
            }
            return .failure(message: String(cString: curl_easy_strerror(code)), timedOut: timedOut)
        }
        var status = 0
        _ = mnt_curl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &status)
        return .response(status: status, headers: sink.headers, body: sink.body)
    }
}
