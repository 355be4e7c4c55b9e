import Basics
import Hummingbird
import NIOCore

/// A request the ops server refuses, with the status it answers. An `HTTPResponseError`: a route
/// or middleware throws it and Hummingbird answers `{"error": <message>}` (application/json) under
/// its status; the dashboard's forms show the message on their page instead (`formAction`).
public enum OpsError: Error, CustomStringConvertible, Equatable, HTTPResponseError {
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

    public var status: HTTPResponse.Status {
        switch self {
        case .badRequest: .badRequest
        case .notFound: .notFound
        case .conflict: .conflict
        case .forbidden: .forbidden
        case .unauthorized: .unauthorized
        case .unsupportedMediaType: .unsupportedMediaType
        }
    }

    /// The API's answer: `{"error": <message>}` under the status.
    public var response: Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: #"{"error":"# + ProjectJSON.quoted(description) + "}")))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response { response }
}
