import Foundation

public enum HTTPClientError: Error, CustomStringConvertible, Equatable {
    /// No HTTP answer at all: connection refused, DNS, timeout, reset. `timedOut` distinguishes the
    /// deadline case because callers report it differently.
    case transport(url: String, message: String, timedOut: Bool, attempts: Int)
    /// The server asked to wait longer than the policy allows.
    case retryAfterTooLong(url: String, seconds: Double)
    case invalidRequest(String)
    /// The answer was larger than the request allowed (not retried: the same server answers the same).
    case responseTooLarge(url: String, limit: Int)

    public var description: String {
        switch self {
        case let .transport(url, message, timedOut, attempts):
            let what = timedOut ? "timed out" : "failed"
            return "request to \(url) \(what) after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(message)"
        case let .retryAfterTooLong(url, seconds):
            return "server at \(url) asked to retry after \(Int(seconds)) s, longer than allowed"
        case let .invalidRequest(message):
            return "invalid HTTP request: \(message)"
        case let .responseTooLarge(url, limit):
            return "the answer from \(url) is larger than \(limit) bytes, refused"
        }
    }
}
