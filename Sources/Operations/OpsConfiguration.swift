import Foundation
import MarketData

/// How `mntrading ops` runs: where it listens, what it may change, and the data it shows.
public struct OpsConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8000
    /// Starting tasks and moving aliases; off by default.
    public var allowWrites = false
    /// Bearer token the write endpoints require when the server listens beyond loopback.
    public var token: String?
    public var locations: Locations
    /// The model the Models page and promote/roll back act on.
    public var modelName = "mntrading_router"
    /// Finished tasks kept with their logs.
    public var taskHistory = 20

    public init(locations: Locations) { self.locations = locations }

    /// Whether the server is reachable only from this machine.
    public var loopbackOnly: Bool { host == "127.0.0.1" || host == "::1" || host == "localhost" }
}
