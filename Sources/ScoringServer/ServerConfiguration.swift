import Foundation

public struct ServerConfiguration: Sendable {
    public var modelURI: String
    public var modelsDirectory: String
    public var host = "127.0.0.1"
    public var port = 5001
    /// Seconds a request may take before it is answered 504.
    public var timeout: Double = 60
    /// Scoring threads (MLflow's workers): requests scored at once.
    public var workers = 1
    /// Event-loop threads (connections, small requests); nil: one per core.
    public var eventLoops: Int?
    /// Requests allowed to wait for a scoring thread; beyond them the server answers 503.
    public var queueLimit = 64
    public var warmup = true
    public var maxBodyBytes = 10 * 1024 * 1024
    /// Seconds between checks of the alias when serving `models:/<name>@<alias>` (0: never).
    public var reloadInterval: Double = 5
    /// Seconds a connection may stay open with no request in progress (keep-alive idle).
    public var idleTimeout: Double = 30
    /// Seconds a request's head has to arrive whole, from its first byte.
    public var headerTimeout: Double = 10
    /// Connections open at once; beyond them new ones wait in the kernel's backlog. High enough
    /// that slow clients, each cut off by the header timeout, do not starve the others.
    public var maxConnections = 4096
    /// Exit when the model cannot be loaded at start, instead of answering 503 and retrying.
    public var exitOnLoadFailure = false

    public init(modelURI: String, modelsDirectory: String) {
        self.modelURI = modelURI
        self.modelsDirectory = modelsDirectory
    }
}
