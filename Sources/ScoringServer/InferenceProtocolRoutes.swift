import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import Scoring

/// The Open Inference Protocol (V2, REST) beside MLflow's routes, so that KServe's, Triton's and
/// MLServer's clients and tools can call the server: health, server and model metadata, and
/// inference with JSON or binary tensor data. The body path (limits, deadline, scoring threads)
/// is the one /invocations uses; errors are V2's `{"error": "…"}`.
extension ScoringService {
    static let inferenceHeaderLength = HTTPField.Name("Inference-Header-Content-Length")!

    func addInferenceProtocolRoutes(to router: Router<ScoringRequestContext>) {
        router.get("/v2") { _, _ in Self.v2(.ok, InferenceResponse.serverMetadata(version: Self.version)) }
        router.get("/v2/health/live") { _, _ in Self.v2(.ok, Array(#"{"live":true}"#.utf8)) }
        router.get("/v2/health/ready") { _, _ in
            self.slot.router == nil
                ? Self.v2(.serviceUnavailable, Array(#"{"ready":false}"#.utf8))
                : Self.v2(.ok, Array(#"{"ready":true}"#.utf8))
        }
        for versioned in [false, true] {
            let base = versioned ? "/v2/models/:name/versions/:version" : "/v2/models/:name"
            router.get(RouterPath(base)) { _, context in
                switch self.servedModel(context) {
                case let .success(model): Self.v2(.ok, InferenceResponse.modelMetadata(model.manifest))
                case let .failure(error): Self.v2(error)
                }
            }
            router.get(RouterPath(base + "/ready")) { _, context in
                switch self.servedModel(context) {
                case .success: Self.v2(.ok, Array(#"{"ready":true}"#.utf8))
                case let .failure(error): Self.v2(error)
                }
            }
            router.post(RouterPath(base + "/infer")) { request, context in await self.infer(request, context: context) }
        }
    }

    /// The loaded router when the path names it (and, if given, its version).
    func servedModel(_ context: ScoringRequestContext) -> Result<RouterModel, InferenceProtocolError> {
        guard let model = slot.router else {
            return .failure(InferenceProtocolError("no model loaded: \(slot.missingReason ?? "")", unavailable: true))
        }
        let name = context.parameters.get("name") ?? ""
        guard name == model.manifest.name else {
            return .failure(
                InferenceProtocolError(
                    "unknown model '\(name)'; this server serves '\(model.manifest.name)'", notFound: true))
        }
        if let version = context.parameters.get("version"), version != String(model.manifest.version) {
            return .failure(
                InferenceProtocolError(
                    "unknown version '\(version)' of model '\(name)'; this server serves version \(model.manifest.version)",
                    notFound: true))
        }
        return .success(model)
    }

    func infer(_ request: Request, context: ScoringRequestContext) async -> Response {
        await recorded(.infer) { started, rows in
            await inferResponse(request, context: context, started: started, rows: &rows)
        }
    }

    private func inferResponse(_ request: Request, context: ScoringRequestContext, started: Date, rows: inout Int) async
        -> Response
    {
        let model: RouterModel
        switch servedModel(context) {
        case let .success(served): model = served
        case let .failure(error): return Self.v2(error)
        }
        var headerLength: Int?
        if let field = request.headers[Self.inferenceHeaderLength] {
            guard let length = Int(field), length >= 0 else {
                return Self.v2(
                    InferenceProtocolError(
                        "Inference-Header-Content-Length must be a non-negative integer, got '\(field)'"))
            }
            headerLength = length
        }
        let outcome = await score(request, channel: context.channel, started: started) { [headerLength] bytes in
            try Self.inference(model, bytes, headerLength: headerLength)
        }
        switch outcome {
        case let .success(scored):
            guard let length = scored.headerLength else { return Self.v2(.ok, scored.body) }
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream", Self.inferenceHeaderLength: String(length)],
                body: .init(byteBuffer: ByteBuffer(bytes: scored.body)))
        case .failure(.tooLarge):
            return Self.closing(
                Self.v2(
                    .contentTooLarge,
                    InferenceProtocolError("request body larger than \(configuration.maxBodyBytes) bytes")))
        case let .failure(.timedOut(closing)):
            let answer = Self.v2(.gatewayTimeout, InferenceProtocolError("request processing time exceeded limit"))
            return closing ? Self.closing(answer) : answer
        case let .failure(.malformed(reason)):
            return Self.closing(Self.v2(InferenceProtocolError("malformed request body: \(reason)")))
        case .failure(.overloaded):
            return Self.v2(.serviceUnavailable, InferenceProtocolError("too many requests waiting; retry later"))
        case let .failure(.failed(error as InferenceProtocolError)):
            return Self.v2(error)
        case let .failure(.failed(error)):
            logger.error("scoring failed: \(error)")
            return Self.v2(.internalServerError, InferenceProtocolError("\(error)"))
        }
    }

    static func inference(_ model: RouterModel, _ body: BodyBytes, headerLength: Int?) throws -> Scored {
        let decoded = try InferenceRequest.decode(
            body, headerLength: headerLength, featureColumns: model.manifest.featureColumns)
        let predictions = try model.predictions(decoded)
        let (answer, length) = try InferenceResponse.encode(
            predictions, request: decoded, modelName: model.manifest.name, modelVersion: model.manifest.version)
        return Scored(body: answer, rows: predictions.count, headerLength: length)
    }

    /// Whether a `/v2/models/<name>[/versions/<version>]/infer` path names the served model, spelled
    /// plainly (a path with escapes is the router's to read).
    static func inferPathNames(_ path: String, _ model: RouterModel) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5 || parts.count == 7, parts[0].isEmpty, parts[1] == "v2", parts[2] == "models",
            parts.last == "infer",
            parts[3] == model.manifest.name, !parts[3].contains("%")
        else { return false }
        return parts.count == 5 || (parts[4] == "versions" && parts[5] == String(model.manifest.version))
    }

    static func v2(_ status: HTTPResponse.Status, _ body: [UInt8]) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func v2(_ error: InferenceProtocolError) -> Response {
        v2(error.unavailable ? .serviceUnavailable : error.notFound ? .notFound : .badRequest, error)
    }

    static func v2(_ status: HTTPResponse.Status, _ error: InferenceProtocolError) -> Response {
        v2(status, error.body)
    }
}
