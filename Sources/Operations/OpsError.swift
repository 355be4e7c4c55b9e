/// A request the ops server refuses, with the status it answers.
public enum OpsError: Error, CustomStringConvertible, Equatable {
    case badRequest(String)
    case notFound(String)
    /// Another task runs (named in the message).
    case conflict(String)
    case forbidden(String)
    case unauthorized(String)
    case unsupportedMediaType(String)

    public var description: String {
        switch self {
        case let .badRequest(message), let .notFound(message), let .conflict(message), let .forbidden(message),
            let .unauthorized(message), let .unsupportedMediaType(message):
            message
        }
    }

    public var status: Int {
        switch self {
        case .badRequest: 400
        case .notFound: 404
        case .conflict: 409
        case .forbidden: 403
        case .unauthorized: 401
        case .unsupportedMediaType: 415
        }
    }
}
