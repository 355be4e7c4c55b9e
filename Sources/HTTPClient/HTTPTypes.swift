import Foundation

/// One HTTP request as the client sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// The final answer to a request, after any retries.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names are lower-cased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: [UInt8]
    /// How many attempts the client made, including this one.
    public var attempts: Int

    public init(status: Int, headers: [String: String], body: [UInt8], attempts: Int) {
        self.status = status
        self.headers = headers
        self.body = body
        self.attempts = attempts
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// When and how long to retry. Defaults suit a public exchange API: a handful of attempts, exponential
/// backoff with jitter so that many clients do not retry in lockstep.
public struct RetryPolicy: Sendable {
    /// Total attempts, the first one included; 1 means no retry.
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// Upper bound on a server's `Retry-After`: a longer wait is an error, not a hang.
    public var maxRetryAfter: Double
    /// Statuses worth another attempt. Other 4xx never are: the request itself is wrong.
    public var retryableStatuses: Set<Int>
    /// Whether a timed-out attempt is retried (a slow server may answer the next one in time).
    public var retryOnTimeout: Bool

    public init(maxAttempts: Int = 5, baseDelay: Double = 0.5, maxDelay: Double = 30, maxRetryAfter: Double = 300,
                retryableStatuses: Set<Int> = RetryPolicy.defaultRetryableStatuses, retryOnTimeout: Bool = true) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.retryableStatuses = retryableStatuses
        self.retryOnTimeout = retryOnTimeout
    }

    /// 418 and 429 are exchange throttling (with `Retry-After`); 5xx are server trouble.
    public static let defaultRetryableStatuses: Set<Int> = Set([418, 429]).union(500...599)

    /// Delay before attempt `attempt + 1` (attempt counts from 1): exponential, capped, with "equal
    /// jitter" (half fixed, half random) so the wait never collapses to zero.
    public func backoff(afterAttempt attempt: Int, random: Double) -> Double {
        let exponential = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        return exponential / 2 + exponential / 2 * min(max(random, 0), 1)
    }
}

public struct HTTPClientConfiguration: Sendable {
    /// Seconds allowed to establish the connection.
    public var connectTimeout: Double
    /// Seconds allowed for a whole attempt, connection included.
    public var totalTimeout: Double
    public var retry: RetryPolicy
    public var userAgent: String

    public init(connectTimeout: Double = 10, totalTimeout: Double = 30, retry: RetryPolicy = RetryPolicy(),
                userAgent: String = "mntrading/0.1") {
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.retry = retry
        self.userAgent = userAgent
    }
}

/// Parses `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3).
func parseRetryAfter(_ value: String?, now: Date = Date()) -> Double? {
    guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
    if let seconds = Double(value), seconds >= 0 { return seconds }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    guard let date = formatter.date(from: value) else { return nil }
    return max(0, date.timeIntervalSince(now))
}
