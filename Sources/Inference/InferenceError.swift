import Basics
import Foundation

/// Why a cycle stopped. Each case maps to an exit code that cron and systemd understand.
public enum InferenceError: ExitCodeProviding, CustomStringConvertible, Equatable {
    /// No usable answer after the retries: down, unreachable, timing out, or 5xx every time.
    case serverUnavailable(String)
    /// The server answered, but not with what a cycle can use (4xx, a body that is not the protocol's).
    case serverRejected(String)
    /// The data here cannot feed this model (feature columns differ, no rows, unknown source).
    case invalidInput(String)
    /// Another cycle holds the lock.
    case busy(String)
    /// A file or store could not be written (a full disk, a read-only directory).
    case cannotWrite(String)

    public var description: String {
        switch self {
        case let .serverUnavailable(text), let .serverRejected(text), let .invalidInput(text), let .busy(text),
            let .cannotWrite(text):
            text
        }
    }

    /// sysexits.h: 69 EX_UNAVAILABLE, 76 EX_PROTOCOL, 65 EX_DATAERR, 75 EX_TEMPFAIL, 74 EX_IOERR.
    public var exitCode: Int32 {
        switch self {
        case .serverUnavailable: 69
        case .serverRejected: 76
        case .invalidInput: 65
        case .busy: 75
        case .cannotWrite: 74
        }
    }
}
