import Foundation

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

    public init(
        maxAttempts: Int = 5, baseDelay: Double = 0.5, maxDelay: Double = 30, maxRetryAfter: Double = 300,
        retryableStatuses: Set<Int> = RetryPolicy.defaultRetryableStatuses, retryOnTimeout: Bool = true
    ) {
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
