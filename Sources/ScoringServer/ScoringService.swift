import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import ModelFormat
import NIOCore
import NIOPosix
import Scoring
import Basics

/// The scoring server: MLflow's protocol (`/ping`, `/health`, `/version`, `/invocations`) plus
/// `/metadata` and `/metrics`. A body of at most 4 KiB (`inlineBodyBytes`) is scored where it was
/// read, on the event loop when it arrived whole (`EventLoopRoutes`); larger ones on the scoring
/// threads (`ScoringPool`).
public struct ScoringService: Sendable {
    public static let version = ProductVersion.current

    let configuration: ServerConfiguration
    let slot: ModelSlot
    let metrics = ServerMetrics()
    let pool: ScoringPool
    let logger: Logger

    /// Loads every member eagerly and, with warmup on, scores `input_example.json` through the
    /// whole request path, before the port opens: as in MLflow, a server that answers 200 on /ping
    /// is ready. A model that cannot be loaded is an error with `exitOnLoadFailure`; otherwise the
    /// server starts without it, answers 503, and the `ModelWatcher` retries (a restart policy would
    /// only turn the failure into a crash loop).
    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "mntrading.serve")) throws {
        self.configuration = configuration
        self.pool = ScoringPool(workers: configuration.workers, queueLimit: configuration.queueLimit)
        self.logger = logger
        do {
            let directory = try ModelStore(root: configuration.modelsDirectory).resolve(configuration.modelURI)
                .directory
            slot = ModelSlot(try Self.prepare(directory, warmup: configuration.warmup, logger: logger))
        } catch {
            if configuration.exitOnLoadFailure { throw error }
            let reason = "\(configuration.modelURI) cannot be loaded: \(error)"
            logger.error("\(reason); serving 503 and retrying")
            // Counted by the watcher's first check, which meets the same problem.
            slot = ModelSlot(nil, problem: reason)
        }
    }

    static func prepare(_ directory: String, warmup: Bool, logger: Logger) throws -> RouterModel {
        let started = Date()
        let router = try RouterModel.load(directory, warmup: warmup)
        logger.info(
            "loaded \(router.manifest.name) version \(router.manifest.version): \(router.pairs.count) members in \(String(format: "%.1f", Date().timeIntervalSince(started) * 1000)) ms"
        )
        return router
    }

    public func router() -> Router<ScoringRequestContext> {
        let router = Router(context: ScoringRequestContext.self)
        router.add(
            middleware: FastAPIStyleNotFound(routes: [
                "/ping": "GET", "/health": "GET", "/version": "GET", "/metadata": "GET",
                "/metrics": "GET", "/invocations": "POST"
            ]))
        router.get("/ping") { _, _ in self.ping() }
        router.get("/health") { _, _ in self.ping() }
        router.get("/version") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: Self.version)))
        }
        router.get("/metadata") { _, _ in try self.metadata() }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: self.metrics.render(modelVersion: self.slot.router?.manifest.version ?? 0))))
        }
        router.post("/invocations") { request, context in await self.invocations(request, channel: context.channel) }
        addInferenceProtocolRoutes(to: router)
        return router
    }

    func ping() -> Response {
        if let missing = slot.missingReason {
            metrics.record(.ping, status: 503, seconds: 0)
            return Self.unavailable(missing)
        }
        metrics.record(.ping, status: 200, seconds: 0)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: Self.pingBody)))
    }

    /// 503 in MLflow's error shape while there is no model to serve.
    static func unavailable(_ reason: String) -> Response {
        error(
            ScoringError(errorCode: "SERVICE_UNAVAILABLE", message: "no model loaded: \(reason)"),
            status: .serviceUnavailable)
    }

    func metadata() throws -> Response {
        guard let router = slot.router else { return Self.unavailable(slot.missingReason ?? "") }
        let data = try ModelMetadata(manifest: router.manifest, modelURI: configuration.modelURI).encoded()
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func invocations(_ request: Request, channel: any Channel) async -> Response {
        await recorded(.invocations) { started, rows in
            await respond(request, channel: channel, started: started, rowsScored: &rows)
        }
    }

    /// A scoring route's answer, counted in the metrics with its latency and the rows it scored;
    /// `started` is the request's start, from which its deadline runs too.
    func recorded(_ route: ServerMetrics.Route, _ answer: (Date, inout Int) async -> Response) async -> Response {
        let started = Date()
        var rows = 0
        let response = await answer(started, &rows)
        metrics.record(
            route, status: Int(response.status.code), seconds: Date().timeIntervalSince(started), rowsScored: rows)
        return response
    }

    private func respond(_ request: Request, channel: any Channel, started: Date, rowsScored: inout Int) async
        -> Response
    {
        guard let router = slot.router else { return Self.unavailable(slot.missingReason ?? "") }
        // MLflow answers 500 to a missing Content-Type; it is the client's mistake, so 415.
        guard let contentType = request.headers[.contentType] else {
            return Self.text(
                "This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got no Content-Type header.",
                status: .unsupportedMediaType)
        }
        if let refusal = Self.checkContentType(contentType) { return refusal }
        let outcome = await score(request, channel: channel, started: started) { bytes in
            try Self.invocation(router, bytes, contentType: contentType)
        }
        switch outcome {
        case let .success(scored):
            rowsScored = scored.rows
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: scored.body)))
        case .failure(.tooLarge):
            return Self.closing(
                Self.error(
                    ScoringError(
                        errorCode: "BAD_REQUEST",
                        message: "request body larger than \(configuration.maxBodyBytes) bytes"),
                    status: .contentTooLarge))
        case let .failure(.timedOut(closing)):
            return closing ? Self.closing(Self.timedOut()) : Self.timedOut()
        case let .failure(.malformed(reason)):
            return Self.closing(
                Self.error(
                    ScoringError(errorCode: "BAD_REQUEST", message: "malformed request body: \(reason)"),
                    status: .badRequest))
        case .failure(.overloaded):
            return Self.error(
                ScoringError(errorCode: "TEMPORARILY_UNAVAILABLE", message: "too many requests waiting; retry later"),
                status: .serviceUnavailable)
        case let .failure(.failed(error)):
            if let error = error as? ScoringError {
                return Self.error(
                    error, status: error.errorCode == "UNSUPPORTED_MEDIA_TYPE" ? .unsupportedMediaType : .badRequest)
            }
            logger.error("scoring failed: \(error)")
            return Self.error(
                ScoringError(errorCode: "INTERNAL_ERROR", message: "\(error)"), status: .internalServerError)
        }
    }

    static func invocation(_ router: RouterModel, _ body: BodyBytes, contentType: String) throws -> Scored {
        let answer = try router.invoke(body: body, contentType: contentType)
        return Scored(body: answer.body, rows: answer.rows)
    }

    /// `EventLoopRoutes`' answer to a whole request of a route it may answer
    /// (`EventLoopRoutes.route`): the body of the route's 200, counted in the metrics as the route
    /// counts it, or nil when the route would answer anything else (no model, a Content-Type to
    /// check, a body it refuses, another model), which the router then does.
    func answerOnLoop(_ route: ServerMetrics.Route, _ head: HTTPRequest, body: BodyBytes, arrived: Date) -> [UInt8]? {
        guard let router = slot.router else { return nil }
        let scored: Scored?
        switch route {
        case .ping:
            metrics.record(.ping, status: 200, seconds: 0, inPipeline: true)
            return Self.pingBody
        case .invocations:
            // Content-Types with parameters are the router's to check.
            guard let contentType = head.headerFields[.contentType], Self.isPlainContentType(contentType) else {
                return nil
            }
            scored = try? Self.invocation(router, body, contentType: contentType)
        case .infer:
            // JSON tensors answered in JSON: a binary answer has headers of its own, the router's to write.
            guard Self.inferPathNames(head.path ?? "", router), head.headerFields[Self.inferenceHeaderLength] == nil
            else { return nil }
            scored = (try? Self.inference(router, body, headerLength: nil)).flatMap {
                $0.headerLength == nil ? $0 : nil
            }
        }
        guard let scored else { return nil }
        metrics.record(
            route, status: 200, seconds: Date().timeIntervalSince(arrived), rowsScored: scored.rows, inPipeline: true)
        return scored.body
    }

    /// MLflow's /ping answers a newline.
    static let pingBody: [UInt8] = Array("\n".utf8)

    /// What a route made of a body: the answer and the rows it scored.
    struct Scored: Sendable {
        var body: [UInt8]
        var rows: Int
        /// The Open Inference Protocol's `Inference-Header-Content-Length` of a binary answer.
        var headerLength: Int?
    }

    /// Why a body was not scored; each protocol words it in its own error shape.
    enum Refusal: Error {
        case tooLarge
        /// `closing`: the deadline passed while the body was still arriving.
        case timedOut(closing: Bool)
        case malformed(String)
        case overloaded
        case failed(Error)
    }

    /// The body path both protocols share: the size limit (a declared length over it refused
    /// before a byte is read), the deadline over reading, queueing and scoring (MLflow's limit
    /// covers the whole request), and `work` run where it costs least.
    func score(
        _ request: Request, channel: any Channel, started: Date,
        _ work: @escaping @Sendable (BodyBytes) throws -> Scored
    ) async -> Result<Scored, Refusal> {
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        if let declared, declared > configuration.maxBodyBytes { return .failure(.tooLarge) }
        let bytes: BodyBytes
        switch await Self.readBody(
            request, declared: declared, channel: channel, limit: configuration.maxBodyBytes,
            seconds: configuration.timeout - Date().timeIntervalSince(started))
        {
        case .read(let body): bytes = body
        case .tooLarge: return .failure(.tooLarge)
        case .timedOut: return .failure(.timedOut(closing: true))
        case .malformed(let reason): return .failure(.malformed(reason))
        }
        let remaining = configuration.timeout - Date().timeIntervalSince(started)
        guard remaining > 0 else { return .failure(.timedOut(closing: false)) }
        // A small body is scored where it was read: its few microseconds of scoring cost less than
        // the two thread hand-offs to a scoring thread and back, and are too short to delay /ping.
        let outcome =
            bytes.count <= Self.inlineBodyBytes
            ? .done(Result { try work(bytes) }) : await pool.run(timeout: remaining) { try work(bytes) }
        switch outcome {
        case .timedOut: return .failure(.timedOut(closing: false))
        case .overloaded: return .failure(.overloaded)
        case let .done(.success(scored)): return .success(scored)
        case let .done(.failure(error)): return .failure(.failed(error))
        }
    }

    /// Bodies up to this size (about 8 rows of 24 features as json.dumps writes them) are scored where they were read.
    static let inlineBodyBytes = 4096

    enum BodyRead: Sendable { case read(BodyBytes), tooLarge, timedOut, malformed(String) }

    /// Reads the body within the size limit and the request's deadline: a body trickled past the
    /// deadline gets its 504 at the deadline, not when (or if) it ends.
    static func readBody(_ request: Request, declared: Int?, channel: any Channel, limit: Int, seconds: Double) async
        -> BodyRead
    {
        guard seconds > 0 else { return .timedOut }
        // At the deadline the channel's input is closed: the body stream ends and the answer (504,
        // then the close) still goes out.
        let fired = Flag()
        let timer = DeadlineQueue.shared.add(after: seconds) {
            fired.set()
            channel.close(mode: .input, promise: nil)
        }
        defer { DeadlineQueue.shared.cancel(timer) }
        // The chunks go straight into the parsers' buffer, sized by the declared length: one copy.
        var body = BodyBytes(capacity: declared.map { min(max($0, 0), limit) } ?? 16_384)
        do {
            for try await chunk in request.body {
                guard body.count + chunk.readableBytes <= limit else { return fired.value ? .timedOut : .tooLarge }
                body.append(contentsOf: chunk.readableBytesView)
            }
            return fired.value ? .timedOut : .read(body)
        } catch {
            // The parser's words for a chunk size that is not hex, or the end of a stream cut at the deadline.
            return fired.value ? .timedOut : .malformed("\(error)")
        }
    }

    /// A refusal that ends the connection: whatever the client still sends of its body is not
    /// read, so the connection cannot carry another request (`ConnectionGuard` closes it).
    static func closing(_ response: Response) -> Response {
        var response = response
        response.headers[.connection] = "close"
        return response
    }

    /// MLflow's answer exactly: JSON content type, plain-text body (§8 of the protocol notes).
    static func timedOut() -> Response {
        Response(
            status: .gatewayTimeout, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: "Request processing time exceeded limit")))
    }

    /// What clients send almost always, accepted without splitting.
    static func isPlainContentType(_ value: String) -> Bool { value == "application/json" || value == "text/csv" }

    /// MLflow's Content-Type rules: charset must be utf-8, no other parameters, and the media type
    /// exactly application/json or text/csv.
    static func checkContentType(_ value: String) -> Response? {
        if isPlainContentType(value) { return nil }
        let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let parameters = parts.dropFirst().map { part -> (String, String) in
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return (pieces[0], pieces.count > 1 ? pieces[1] : "")
        }
        if let charset = parameters.first(where: { $0.0 == "charset" }), charset.1.lowercased() != "utf-8" {
            return text("The scoring server only supports UTF-8", status: .unsupportedMediaType)
        }
        let unknown = parameters.map(\.0).filter { $0 != "charset" }
        if !unknown.isEmpty {
            return text(
                "Unrecognized content type parameters: \(unknown.joined(separator: ", ")).",
                status: .unsupportedMediaType)
        }
        let media = RequestDecoder.mediaType(value)
        guard media == "application/json" || media == "text/csv" else {
            return text(
                "This predictor only supports the following content types: Types: ['text/csv', 'application/json']. Got '\(value)'.",
                status: .unsupportedMediaType)
        }
        return nil
    }

    static func text(_ message: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: message)))
    }

    static func error(_ error: ScoringError, status: HTTPResponse.Status) -> Response {
        let data =
            (try? JSONSerialization.data(withJSONObject: error.jsonObject, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Serves the loaded model until cancelled or signalled.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        // The model watcher runs in the application's service group: it starts with the server and
        // stops with it, on a signal or on cancellation.
        let headerTimeout = TimeAmount.nanoseconds(Int64(configuration.headerTimeout * 1_000_000_000))
        let serverName = "mntrading-serve"
        // A body over the server's limit is the router's to refuse, however small.
        let pipelineBody = min(Self.inlineBodyBytes, configuration.maxBodyBytes)
        let eventLoops = configuration.eventLoops.map { MultiThreadedEventLoopGroup(numberOfThreads: $0) }
        let app = Application(
            router: router(),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        ConnectionGuard(headerTimeout: headerTimeout),
                        EventLoopRoutes.Installer {
                            EventLoopRoutes(
                                serverName: serverName, maximumBody: pipelineBody, answer: self.answerOnLoop)
                        }
                    ],
                    idleTimeout: .nanoseconds(Int64(configuration.idleTimeout * 1_000_000_000)))),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: serverName,
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections, logger: logger)),
            services: [ModelWatcher(service: self)],
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            eventLoopGroupProvider: eventLoops.map { .shared($0) } ?? .singleton,
            logger: logger)
        do {
            try await app.runService()
        } catch {
            try? await eventLoops?.shutdownGracefully()
            throw error
        }
        try await eventLoops?.shutdownGracefully()
    }
}
