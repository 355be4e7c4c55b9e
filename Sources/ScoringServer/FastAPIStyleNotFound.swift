import Hummingbird
import NIOCore

/// Unknown routes and wrong methods answer as MLflow's FastAPI server does: 404
/// `{"detail":"Not Found"}`, or 405 `{"detail":"Method Not Allowed"}` with `Allow` for a known path.
struct FastAPIStyleNotFound: RouterMiddleware {
    typealias Context = ScoringRequestContext
    let routes: [String: String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            if let allowed = routes[request.uri.path] {
                return Response(status: .methodNotAllowed, headers: [.contentType: "application/json", .allow: allowed],
                                body: .init(byteBuffer: ByteBuffer(string: #"{"detail":"Method Not Allowed"}"#)))
            }
            return Response(status: .notFound, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"detail":"Not Found"}"#)))
        }
    }
}
