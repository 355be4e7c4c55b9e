import Basics
import Foundation
import MarketData
import ModelFormat

/// How `mntrading ops` runs: where it listens, what it may change, and the data it shows.
public struct OpsConfiguration: Sendable {
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8000
    /// The token has no flag, only this variable; the tasks the server runs do not inherit it.
    public static let tokenVariable = EnvironmentVariable(
        "MNTRADING_OPS_TOKEN", "Bearer token the write endpoints require when the server listens beyond loopback")

    public var host = defaultHost
    public var port = defaultPort
    /// Starting tasks and moving aliases; off by default.
    public var allowWrites = false
    /// Bearer token the write endpoints require when the server listens beyond loopback.
    public var token: String?
    public var locations: Locations
    /// The model the Models page and promote/roll back act on.
    public var modelName = ModelStore.defaultModelName
    /// Finished tasks kept with their logs.
    public var taskHistory = 20

    public init(locations: Locations) { self.locations = locations }

    /// Whether the server is reachable only from this machine.
    public var loopbackOnly: Bool { host == "127.0.0.1" || host == "::1" || host == "localhost" }
}
