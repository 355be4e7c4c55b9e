import Basics
import Foundation

/// What went wrong talking to an MLflow server, in one line that names the server and the call.
/// Never carries a credential: messages are built from the URL path and MLflow's own error text.
public enum MLflowError: Error, CustomStringConvertible, Equatable {
    /// No answer at all (connection refused, DNS, timeout): the run is kept locally for `track sync`.
    case unreachable(server: String, reason: String)
    /// 401/403: the token or the user and password were refused.
    case unauthorized(server: String, status: Int)
    /// Any other non-2xx answer, with MLflow's error code when it sent one.
    case rejected(call: String, status: Int, code: String?, message: String)
    /// The server answered something this client cannot use.
    case unusable(String)
    /// An answer or a file larger than the call takes.
    case tooLarge(what: String, limit: Int)

    public var description: String {
        switch self {
        case let .unreachable(server, reason):
            return "MLflow tracking server \(server) unreachable: \(reason)"
        case let .unauthorized(server, status):
            return
                "MLflow tracking server \(server) refused the credentials (HTTP \(status)); check \(EnvironmentVariable.trackingCredentials)"
        case let .rejected(call, status, code, message):
            return "MLflow \(call) failed with HTTP \(status)\(code.map { " \($0)" } ?? ""): \(message)"
        case let .unusable(problem):
            return "MLflow: \(problem)"
        case let .tooLarge(what, limit):
            return "MLflow: \(what) is larger than \(limit) bytes, refused"
        }
    }

    /// MLflow's code for "no such experiment/model/alias".
    var isMissingResource: Bool {
        if case let .rejected(_, status, code, _) = self { return code == "RESOURCE_DOES_NOT_EXIST" || status == 404 }
        return false
    }
}
