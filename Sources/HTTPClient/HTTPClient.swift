import CCurl
import Foundation
import Logging

/// A small blocking HTTP client over libcurl: per-attempt connect and total timeouts, retries with
/// exponential backoff and jitter on transport errors and retryable statuses, `Retry-After` honoured.
///
/// One instance keeps one curl handle, so consecutive requests reuse the connection (keep-alive).
/// Calls are serialised by a lock; use one client per thread for parallel requests.
public final class HTTPClient: @unchecked Sendable {
    // @unchecked Sendable: the only mutable state is `handle`, and every use of it happens
    // inside `lock`, so concurrent callers never touch the curl handle at the same time.
    public let configuration: HTTPClientConfiguration
    private let handle: CurlHandle
    private let lock = NSLock()
    private let logger: Logger
    private let sleeper: @Sendable (Double) -> Void

    public init(
        configuration: HTTPClientConfiguration = HTTPClientConfiguration(),
        logger: Logger = Logger(label: "mntrading.http"),
        sleeper: @escaping @Sendable (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }
    ) throws {
        CurlGlobal.ensureInitialised()
        guard let handle = CurlHandle() else {
            throw HTTPClientError.invalidRequest("libcurl could not create a handle")
        }
        self.configuration = configuration
        self.handle = handle
        self.logger = logger
        self.sleeper = sleeper
    }

    /// Sends the request, retrying as the policy says. Returns the last answer the server gave
    /// (which may still be a retryable status once attempts are used up); throws only when no
    /// answer came at all.
    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        lock.lock()
        defer { lock.unlock() }
        let policy = configuration.retry
        var attempt = 0
        while true {
            attempt += 1
            let outcome = handle.perform(request, configuration: configuration)
            switch outcome {
            case let .response(status, headers, body):
                let response = HTTPResponse(status: status, headers: headers, body: body, attempts: attempt)
                guard policy.retryableStatuses.contains(status), attempt < policy.maxAttempts else { return response }
                var delay = policy.backoff(afterAttempt: attempt, random: Double.random(in: 0...1))
                if status == 429 || status == 418 || status == 503,
                    let retryAfter = parseRetryAfter(headers["retry-after"])
                {
                    guard retryAfter <= policy.maxRetryAfter else {
                        throw HTTPClientError.retryAfterTooLong(url: request.url, seconds: retryAfter)
                    }
                    delay = retryAfter
                }
                logger.warning(
                    "HTTP \(status) from \(request.url); retry \(attempt + 1)/\(policy.maxAttempts) in \(String(format: "%.2f", delay)) s"
                )
                sleeper(delay)
            case let .failure(message, timedOut):
                let retryable = !timedOut || policy.retryOnTimeout
                guard retryable, attempt < policy.maxAttempts else {
                    throw HTTPClientError.transport(
                        url: request.url, message: message, timedOut: timedOut, attempts: attempt)
                }
                let delay = policy.backoff(afterAttempt: attempt, random: Double.random(in: 0...1))
                logger.warning(
                    "\(message) (\(request.url)); retry \(attempt + 1)/\(policy.maxAttempts) in \(String(format: "%.2f", delay)) s"
                )
                sleeper(delay)
            case let .invalid(message):
                throw HTTPClientError.invalidRequest(message)
            case let .tooLarge(limit):
                throw HTTPClientError.responseTooLarge(url: request.url, limit: limit)
            }
        }
    }

    public func get(_ url: String, headers: [(name: String, value: String)] = []) throws -> HTTPResponse {
        try send(HTTPRequest(method: "GET", url: url, headers: headers))
    }

    public func post(_ url: String, body: [UInt8], contentType: String, headers: [(name: String, value: String)] = [])
        throws -> HTTPResponse
    {
        try send(HTTPRequest(method: "POST", url: url, headers: [("Content-Type", contentType)] + headers, body: body))
    }

    /// libcurl's version string, for `--version` output.
    public static var curlVersion: String {
        String(cString: curl_version())
    }
}

/// `curl_global_init` must run once before any handle exists; a static let runs it exactly once.
enum CurlGlobal {
    private static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    static func ensureInitialised() { _ = initialised }
}
