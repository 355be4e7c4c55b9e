import Foundation

public struct HTTPClientConfiguration: Sendable {
    /// Seconds allowed to establish the connection.
    public var connectTimeout: Double
    /// Seconds allowed for a whole attempt, connection included.
    public var totalTimeout: Double
    public var retry: RetryPolicy
    public var userAgent: String

    public init(
        connectTimeout: Double = 10, totalTimeout: Double = 30, retry: RetryPolicy = RetryPolicy(),
        userAgent: String = "mntrading/0.1"
    ) {
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.retry = retry
        self.userAgent = userAgent
    }
}
