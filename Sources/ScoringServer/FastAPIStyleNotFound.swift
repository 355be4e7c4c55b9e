import Hummingbird
import NIOCore
import Scoring

/// Unknown routes and wrong methods answer as MLflow's FastAPI server does: 404
/// `{"detail":"Not Found"}`, or 405 `{"detail":"Method Not Allowed"}` with `Allow` for a known path;
/// under /v2, in the Open Inference Protocol's shape.
struct FastAPIStyleNotFound: RouterMiddleware {
    typealias Context = ScoringRequestContext
    let routes: [String: String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // Open Inference Protocol clients read V2's error shape.
            if request.uri.path.hasPrefix("/v2/") || request.uri.path == "/v2" {
                return ScoringService.v2(
                    .notFound, InferenceProtocolError("no route \(request.method) \(request.uri.path)"))
            }
            if let allowed = routes[request.uri.path] {
                return Response(
                    status: .methodNotAllowed, headers: [.contentType: "application/json", .allow: allowed],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"detail":"Method Not Allowed"}"#)))
            }
            return Response(
                status: .notFound, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"detail":"Not Found"}"#)))
        }
    }
}
