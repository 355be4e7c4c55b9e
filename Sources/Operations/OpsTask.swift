import Foundation

/// A background task as the API shows it.
public struct OpsTask: Codable, Sendable, Equatable {
    /// `cancelled`: stopped through the API or the dashboard (`exitStatus` says how it ended).
    public enum State: String, Codable, Sendable { case running, succeeded, failed, cancelled }

    public var id: String
    public var kind: String
    public var arguments: [String]
    public var state: State
    /// The program's exit status once it ended.
    public var exitStatus: Int32?
    /// Milliseconds since 1970.
    public var startedAt: Int64
    public var finishedAt: Int64?
    public var lines: Int
}

/// One line a task's program wrote (standard output and error together, in order).
public struct OpsLogLine: Codable, Sendable, Equatable {
    public var number: Int
    /// Milliseconds since 1970, when the server read it.
    public var time: Int64
    public var text: String
}
