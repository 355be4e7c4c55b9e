import Basics
import Foundation
import Hummingbird
import Logging
import MarketData
import ModelFormat
import NIOCore
import Portfolio
import Store

/// `mntrading ops`: the operations API and the dashboard in one Hummingbird server. Reads are
/// open; starting a task or moving an alias needs writes enabled (always on loopback, with
/// `--allow-writes` beyond it, where a bearer token is required too), and the dashboard's forms
/// carry a per-process CSRF token.
public struct OpsService: Sendable {
    let configuration: OpsConfiguration
    let reader: OpsReader
    let runner: TaskRunner
    let kinds: [OpsTaskKind]
    let models: ModelStore
    /// Put in every form the pages render and checked on every form post: a page of another site
    /// cannot know it.
    let csrf: String
    let logger: Logger

    public init(
        configuration: OpsConfiguration, store: DataStore, kinds: [OpsTaskKind],
        verify: (@Sendable (String) throws -> Void)?, logger: Logger = Logger(label: "mntrading.ops")
    ) throws {
        if !configuration.loopbackOnly && configuration.allowWrites && (configuration.token ?? "").isEmpty {
            throw OpsError.badRequest(
                "--allow-writes on \(configuration.host) needs a token: set \(OpsConfiguration.tokenVariable) (writes beyond loopback require it)"
            )
        }
        self.configuration = configuration
        reader = OpsReader(locations: configuration.locations, store: store, modelName: configuration.modelName)
        runner = TaskRunner(
            history: configuration.taskHistory, file: configuration.locations.dataPath("ops", "tasks.json"),
            logger: logger)
        self.kinds = kinds
        models = ModelStore(root: configuration.locations.modelsDirectory, verify: verify)
        csrf = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        self.logger = logger
    }

    var writesEnabled: Bool { configuration.loopbackOnly || configuration.allowWrites }
    var tokenRequired: Bool { !configuration.loopbackOnly }

    /// Writes enabled, and the token when one is required: from the Authorization header (API) or
    /// the form's token field (dashboard).
    func authorizeWrite(_ request: Request, formToken: String? = nil) throws {
        guard writesEnabled else {
            throw OpsError.forbidden(
                "read-only: this server listens on \(configuration.host); start it with --allow-writes (and \(OpsConfiguration.tokenVariable)) to run tasks or move aliases"
            )
        }
        guard tokenRequired else { return }
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        guard let expected = configuration.token, let given = bearer ?? formToken, Self.sameBytes(given, expected)
        else {
            throw OpsError.unauthorized("writes need the ops token (Authorization: Bearer …)")
        }
    }

    /// An API write: JSON only (a page of another site can post a form or text/plain without asking,
    /// but not JSON), not from another origin, then the write checks.
    func authorizeAPIWrite(_ request: Request) throws {
        guard request.headers[.contentType].map({ $0.lowercased().hasPrefix("application/json") }) == true else {
            throw OpsError.unsupportedMediaType("API writes take Content-Type: application/json")
        }
        try checkOrigin(request)
        try authorizeWrite(request)
    }

    /// When the browser says where a request came from, it came from this server; and a server on
    /// loopback answers writes only to requests addressed to loopback, so a page whose name was
    /// rebound to 127.0.0.1 (DNS rebinding: same origin, foreign name) cannot act on it.
    func checkOrigin(_ request: Request) throws {
        try checkAddressed(request)
        if let origin = request.headers[.origin], let host = request.head.authority, origin != "http://\(host)",
            origin != "https://\(host)"
        {
            throw OpsError.forbidden("a request from \(origin) cannot act on this server")
        }
    }

    /// Compares in time independent of where the strings differ.
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: - Responses

    static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json<T: Encodable>(_ status: HTTPResponse.Status = .ok, encoding value: T) -> Response {
        json((try? ProjectJSON.encoder().encode(value)) ?? Data("{}".utf8), status: status)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func artifact(_ data: Data?, contentType: String = "application/json", what: String) -> Response {
        guard let data else { return OpsError.notFound("nothing yet: no \(what) in this data directory").response }
        return Response(
            status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: - Tasks

    /// Starts a task of `kindName` with `settings`, after the checks the command itself makes.
    func startTask(kindName: String, settings: [String: OpsSetting]) throws -> OpsTask {
        guard let kind = kinds.first(where: { $0.name == kindName }) else {
            throw OpsError.badRequest(
                "unknown task kind '\(kindName)'; this server runs \(kinds.map(\.name).joined(separator: ", "))")
        }
        if let running = runner.running {
            throw OpsError.conflict("task \(running.id) (\(running.kind)) is running; one task runs at a time")
        }
        let arguments = kind.fixedArguments + (try kind.arguments(from: settings))
        do { try kind.validate(arguments) } catch let error as OpsError { throw error } catch {
            throw OpsError.badRequest("bad settings for \(kind.name): \(error)")
        }
        if let holder = CycleLock.holder(locations: configuration.locations, file: kind.lockFile) {
            throw OpsError.conflict(
                "a \(kind.name) is running outside the dashboard (\(kind.lockFile) held\(holder.isEmpty ? "" : " by pid \(holder)")); try again when it ends"
            )
        }
        return try runner.start(kind: kind.name, executable: kind.executable, arguments: arguments)
    }

    /// `{"kind": …, "settings": {flag: value}}`; a setting is true/false, a number or a string.
    struct TaskRequest: Decodable {
        var kind: String
        var settings: [String: Setting]?

        struct Setting: Decodable {
            var value: OpsSetting
            init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let flag = try? container.decode(Bool.self) {
                    value = .flag(flag)
                } else if let integer = try? container.decode(Int64.self) {
                    value = .value(String(integer))
                } else if let number = try? container.decode(Double.self) {
                    value = .value("\(number)")
                } else if let text = try? container.decode(String.self) {
                    value = .value(text)
                } else {
                    throw DecodingError.dataCorruptedError(
                        in: container, debugDescription: "a setting is a string, a number or true/false")
                }
            }
        }
    }

    func eventStream(_ id: String, from: Int) -> Response {
        guard let stream = runner.follow(id) else { return OpsError.notFound("unknown task \(id)").response }
        let runner = self.runner
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                // One-line JSON: an event's data ends at its first newline.
                for await line in stream where line.number >= from {
                    try await writer.write(ByteBuffer(string: "data: \((try? ProjectJSON.string(line)) ?? "{}")\n\n"))
                }
                let task = runner.task(id).flatMap { try? ProjectJSON.string($0) } ?? "{}"
                try await writer.write(ByteBuffer(string: "event: end\ndata: \(task)\n\n"))
                try await writer.finish(nil)
            })
    }

    // MARK: - Forms

    /// `application/x-www-form-urlencoded` fields.
    static func formFields(_ buffer: ByteBuffer) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let key = parts.first { fields[key] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }

    /// A dashboard form post: the CSRF token matches and, if the browser says where the form came
    /// from, it came from this server.
    func checkForm(_ request: Request, _ fields: [String: String]) throws {
        guard let given = fields["csrf"], Self.sameBytes(given, csrf) else {
            throw OpsError.forbidden("the form's token is missing or stale: reload the page and try again")
        }
        try checkOrigin(request)
        try authorizeWrite(request, formToken: fields["token"])
    }

    /// A dashboard form: checked (`checkForm`), then `act`; on success back to `back` (post,
    /// redirect, get), on a refusal the page again with the message, under the refusal's status.
    func formAction(
        _ router: Router<BasicRequestContext>, _ path: RouterPath, back: String,
        page: @escaping @Sendable (String?, HTTPResponse.Status) -> Response,
        _ act: @escaping @Sendable ([String: String]) throws -> Void
    ) {
        router.post(path) { request, _ in
            let fields = Self.formFields(try await request.body.collect(upTo: 64 * 1024))
            do {
                try checkForm(request, fields)
                try act(fields)
                return Self.redirect(back)
            } catch let error as OpsError {
                return page(error.description, error.status)
            }
        }
    }

    func operationsPage(message: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let tasks = runner.list()
        let log = tasks.first.flatMap { runner.lines($0.id) } ?? []
        return Self.html(
            DashboardPages.operations(
                tasks: tasks, log: log, kinds: kinds, writes: writesEnabled, csrf: csrf, needsToken: tokenRequired,
                message: message),
            status: status)
    }

    func modelsPage(message: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        Self.html(
            DashboardPages.models(
                reader.models(store: models), writes: writesEnabled, csrf: csrf, needsToken: tokenRequired,
                message: message),
            status: status)
    }

    /// A server on loopback answers only requests addressed to loopback — reads too (orders, task
    /// logs, the CSRF token in a page), and a request with no Host at all — so a page whose name
    /// was rebound to 127.0.0.1 (DNS rebinding: same origin, foreign name) learns nothing from it.
    func checkAddressed(_ request: Request) throws {
        guard configuration.loopbackOnly else { return }
        guard let authority = request.head.authority, !authority.isEmpty else {
            throw OpsError.forbidden(
                "this server listens on loopback and answers only requests that name it in their Host header")
        }
        let host =
            authority.hasPrefix("[")
            ? String(authority.prefix { $0 != "]" }.dropFirst()) : String(authority.prefix { $0 != ":" })
        guard ["127.0.0.1", "localhost", "::1"].contains(host.lowercased()) else {
            throw OpsError.forbidden(
                "this server listens on loopback and acts only on requests addressed to it, not to \(authority)")
        }
    }

    /// `checkAddressed` before every route (unknown ones too).
    struct AddressCheck: RouterMiddleware {
        let service: OpsService
        func handle(
            _ request: Request, context: BasicRequestContext,
            next: (Request, BasicRequestContext) async throws -> Response
        ) async throws -> Response {
            try service.checkAddressed(request)
            return try await next(request, context)
        }
    }

    // MARK: - Routes

    /// A refusal is thrown (`OpsError`, an `HTTPResponseError`) and Hummingbird answers it.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: AddressCheck(service: self))
        router.get("/health") { _, _ in
            Self.json(
                encoding: Health(
                    status: "ok", version: ProductVersion.current, task: runner.running?.id, writes: writesEnabled))
        }
        router.get("/openapi.json") { _, _ in Self.json(OpsAPI.document(version: ProductVersion.current)) }

        router.get("/api/tasks") { _, _ in Self.json(encoding: runner.list()) }
        router.post("/api/tasks") { request, _ in
            try authorizeAPIWrite(request)
            let body = try await request.body.collect(upTo: 64 * 1024)
            let task: TaskRequest
            do { task = try JSONDecoder().decode(TaskRequest.self, from: Data(buffer: body)) } catch {
                throw OpsError.badRequest(
                    #"the body must be JSON: {"kind": "pipeline" or "cycle", "settings": {flag: string, number or true/false}}"#
                )
            }
            return Self.json(
                .accepted,
                encoding: try startTask(kindName: task.kind, settings: (task.settings ?? [:]).mapValues(\.value)))
        }
        router.get("/api/tasks/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            guard let task = runner.task(id) else { throw OpsError.notFound("unknown task \(id)") }
            let from = request.uri.queryParameters.get("from").flatMap { Int($0) } ?? 1
            return Self.json(encoding: TaskLog(task: task, log: runner.lines(id, from: from) ?? []))
        }
        router.post("/api/tasks/:id/cancel") { request, context in
            try authorizeAPIWrite(request)
            return Self.json(.accepted, encoding: try runner.cancel(context.parameters.get("id") ?? ""))
        }
        router.get("/api/tasks/:id/events") { request, context in
            eventStream(
                context.parameters.get("id") ?? "",
                from: request.uri.queryParameters.get("from").flatMap { Int($0) } ?? 1)
        }
        router.get("/api/pairs") { _, _ in Self.artifact(reader.screeningFile(), what: "screen") }
        router.get("/api/training") { _, _ in Self.artifact(reader.trainingReportFile(), what: "training report") }
        router.get("/api/selection") { _, _ in Self.artifact(reader.selectionFile(), what: "selection") }
        router.get("/api/signals") { _, _ in
            guard let latest = reader.signals() else {
                throw OpsError.notFound("nothing yet: no signals in this data directory")
            }
            return Self.json(
                encoding: Signals(asOf: latest.asOf, asOfUtc: UTCTime.format(latest.asOf), signals: latest.signals))
        }
        router.get("/api/orders") { _, _ in Self.artifact(reader.ordersFile(), what: "orders") }
        router.get("/api/orders.csv") { _, _ in
            Self.artifact(
                reader.orders().map { Data(OrderFiles.csv($0).utf8) }, contentType: "text/csv; charset=utf-8",
                what: "orders")
        }
        router.get("/api/report") { _, _ in Self.artifact(reader.reportSummary(), what: "report") }
        router.get("/api/models") { _, _ in Self.json(encoding: reader.models(store: models)) }
        router.post("/api/models/:name/aliases/:alias") { request, context in
            try authorizeAPIWrite(request)
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
                let version = object["version"] as? Int
            else {
                throw OpsError.badRequest(#"the body must be JSON: {"version": <integer>}"#)
            }
            return Self.json(
                encoding: try moveAlias(
                    context.parameters.get("name") ?? "", alias: context.parameters.get("alias") ?? "", to: version))
        }
        router.post("/api/models/:name/aliases/:alias/rollback") { request, context in
            try authorizeAPIWrite(request)
            return Self.json(
                encoding: try moveAlias(
                    context.parameters.get("name") ?? "", alias: context.parameters.get("alias") ?? "", to: nil))
        }

        router.get("/api/ledger") { _, _ in
            guard let view = reader.live() else {
                throw OpsError.notFound("nothing yet: the paper ledger has booked no bar")
            }
            return Self.json(encoding: LedgerSummary(view))
        }
        router.get("/api/ledger/fills.csv") { request, _ in
            let limit =
                request.uri.queryParameters.get("limit").flatMap { Int($0) }.map { min(max($0, 1), 100_000) } ?? 10_000
            return Response(
                status: .ok, headers: [.contentType: "text/csv; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: LedgerRecords.csv(reader.fills(limit: limit)))))
        }
        router.post("/api/ledger/enable") { request, _ in
            try authorizeAPIWrite(request)
            let body = try await request.body.collect(upTo: 64 * 1024)
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
            let pair = object?["pair"] as? String, all = object?["all"] as? Bool == true
            guard (pair == nil) == all else {
                throw OpsError.badRequest(#"the body must be JSON: {"pair": "<A>__<B>"} or {"all": true}"#)
            }
            return Self.json(encoding: ["enabled": try enable(pair: pair)])
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: LedgerMetrics.text(reader.live()))))
        }

        // The dashboard.
        router.get("/") { _, _ in operationsPage() }
        router.get("/pairs") { _, _ in
            Self.html(DashboardPages.pairs(reader.screening(), features: { reader.features(pair: $0) }))
        }
        router.get("/training") { _, _ in Self.html(DashboardPages.training(reader.training())) }
        router.get("/models") { _, _ in modelsPage() }
        router.get("/signals") { _, _ in Self.html(DashboardPages.signals(reader.signals(), orders: reader.orders())) }
        router.get("/live") { _, _ in livePage() }
        router.get("/report") { _, _ in Self.html(DashboardPages.report(available: reader.reportDirectory() != nil)) }
        router.get("/report/latest.html") { _, _ in
            guard let report = reader.reportHTML() else {
                return Self.html(DashboardPages.report(available: false), status: .notFound)
            }
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: report)))
        }
        formAction(router, "/ui/tasks", back: "/", page: operationsPage) { fields in
            _ = try startTask(kindName: fields["kind"] ?? "", settings: [:])
        }
        formAction(router, "/ui/tasks/cancel", back: "/", page: operationsPage) { fields in
            _ = try runner.cancel(fields["task"] ?? "")
        }
        formAction(router, "/ui/models/promote", back: "/models", page: modelsPage) { fields in
            guard let version = fields["version"].flatMap({ Int($0) }) else {
                throw OpsError.badRequest("no version given")
            }
            _ = try moveAlias(configuration.modelName, alias: fields["alias"] ?? ModelStore.defaultAlias, to: version)
        }
        formAction(router, "/ui/models/rollback", back: "/models", page: modelsPage) { fields in
            _ = try moveAlias(configuration.modelName, alias: fields["alias"] ?? ModelStore.defaultAlias, to: nil)
        }
        formAction(router, "/ui/ledger/enable", back: "/live", page: livePage) { fields in
            guard fields["pair"] != nil || fields["all"] == "true" else { throw OpsError.badRequest("no pair given") }
            _ = try enable(pair: fields["pair"])
        }
        return router
    }

    func livePage(message: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        Self.html(
            DashboardPages.live(
                reader.live(), writes: writesEnabled, csrf: csrf, needsToken: tokenRequired, message: message),
            status: status)
    }

    /// Re-enables a stopped or degraded pair (nil: every one, and the portfolio), under the cycle's
    /// lock so it never interleaves with a cycle's booking; one log line.
    func enable(pair: String?) throws -> [String] {
        let enabled: [String]
        do {
            enabled = try CycleLock(locations: configuration.locations).whileHolding {
                try reader.store.write { db in
                    try LedgerRecords.enable(pair: pair, at: UTCTime.nowMilliseconds(), in: db)
                }
            }
        } catch let busy as CycleLock.Busy {
            throw OpsError.conflict("an inference cycle is running (\(busy)); try again when it ends")
        } catch let mismatch as LedgerRecords.Mismatch {
            throw OpsError.badRequest(mismatch.description)
        }
        logger.notice(
            "ledger: re-enabled \(enabled.isEmpty ? "nothing (no pair was stopped)" : enabled.joined(separator: ", ")) by hand"
        )
        return enabled
    }

    /// Promotes (`version`) or rolls back (nil) an alias, with the checks `mntrading models alias` makes.
    func moveAlias(_ name: String, alias: String, to version: Int?) throws -> OpsReader.Models {
        guard models.names().contains(name) else { throw OpsError.notFound("unknown model '\(name)'") }
        do {
            if let version {
                try models.setAlias(name, alias: alias, version: version)
            } else {
                try models.rollBack(name, alias: alias)
            }
        } catch {
            throw OpsError.badRequest("\(error)")
        }
        let moved = (try? models.aliases(name))?[alias]
        logger.info("alias \(alias) of \(name) now points at version \(moved.map(String.init) ?? "?")")
        return reader.models(store: models, name: name)
    }

    struct Health: Codable {
        var status: String
        var version: String
        var task: String?
        var writes: Bool
    }
    struct TaskLog: Codable {
        var task: OpsTask
        var log: [OpsLogLine]
    }
    struct Signals: Codable {
        var asOf: Int64
        var asOfUtc: String
        var signals: [SignalRecord]
    }

    /// `GET /api/ledger`: the state, P&L by pair and version, equity since deployment.
    struct LedgerSummary: Encodable {
        struct PairPnL: Encodable {
            var pair: String
            var modelVersion: Int
            var pnl: Double
            var costs: Double
        }
        var state: LedgerState
        var equity: Double
        var drawdown: Double
        var profitAndLoss: [PairPnL]
        var equityCurve: [PortfolioMark]

        init(_ view: LiveView) {
            state = view.state
            equity = view.state.equity
            drawdown = view.drawdown
            profitAndLoss = view.profitAndLoss.map {
                PairPnL(pair: $0.pair, modelVersion: $0.modelVersion, pnl: $0.pnl, costs: $0.costs)
            }
            equityCurve = view.equity
        }
    }

    /// Serves until cancelled or signalled.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(
            router: router(),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "mntrading-ops"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService()
    }
}
