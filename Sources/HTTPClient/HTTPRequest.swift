import Foundation

/// One HTTP request as the client sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// The largest answer body taken (after decompression); a larger one is cut off and thrown as
    /// `HTTPClientError.responseTooLarge`, never held whole in memory.
    public var maxResponseBytes: Int?

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        maxResponseBytes: Int? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.maxResponseBytes = maxResponseBytes
    }
}
