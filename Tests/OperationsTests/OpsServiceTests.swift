import Foundation
import Glibc
import Hummingbird
import HummingbirdTesting
import MarketData
import ModelFormat
@testable import Operations
import PairResearch
import Portfolio
import Store
import TestSupport
import TrainingRecords
import Testing

/// The operations API and dashboard on a data directory: nothing-yet pages, the OpenAPI document,
/// one task at a time with its log, the locks shared with the command line, write protection,
/// CSRF, promote and roll back.
@Suite(.serialized)
struct OpsServiceTests {
    /// A task kind running a shell script, so the runner is tested without the real programs.
    static func shell(_ name: String, _ script: String, lockFile: String = "test.lock") -> OpsTaskKind {
        OpsTaskKind(
            name: name, summary: "test", executable: "/bin/sh", fixedArguments: ["-c", script], lockFile: lockFile,
            settings: ["bad", "top_k", "force", "quiet"],
            validate: { arguments in
                if arguments.contains("--bad") { throw OpsError.badRequest("--bad is not a flag of \(name)") }
            })
    }

    static func withService(
        host: String = "127.0.0.1", port: Int = 8000, allowWrites: Bool = false, token: String? = nil,
        kinds: [OpsTaskKind] = [shell("echo", "echo first; sleep 0.4; echo second; exit 3")],
        _ body: @Sendable @escaping (OpsService, Locations, any TestClientProtocol) async throws -> Void
    ) async throws {
        let root = try temporaryDirectory("ops")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let locations = Locations(dataDirectory: root + "/data", modelsDirectory: root + "/models")
        try FileManager.default.createDirectory(atPath: locations.dataDirectory, withIntermediateDirectories: true)
        let store = try DataStore(
            path: locations.dataPath("mntrading.sqlite"), schemas: [.marketData, .pairResearch, .training, .portfolio])
        var configuration = OpsConfiguration(locations: locations)
        configuration.host = host
        configuration.port = port
        configuration.allowWrites = allowWrites
        configuration.token = token
        configuration.modelName = "router"
        let service = try OpsService(configuration: configuration, store: store, kinds: kinds, verify: nil)
        let app = Application(router: service.router())
        try await app.test(.router) { client in try await body(service, locations, client) }
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }
    static func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
    }

    static func post(_ client: any TestClientProtocol, _ path: String, json body: String, headers: HTTPFields = [:])
        async throws -> TestResponse
    {
        var fields = headers
        fields[.contentType] = "application/json"
        return try await client.execute(uri: path, method: .post, headers: fields, body: ByteBuffer(string: body))
    }

    static func waitUntilDone(_ service: OpsService, _ id: String) async throws -> OpsTask {
        for _ in 0..<200 {
            if let task = service.runner.task(id), task.state != .running { return task }
            try await Task.sleep(nanoseconds: 25_000_000)
        }
        throw OpsError.conflict("task \(id) did not end")
    }

    @Test func aFreshDataDirectoryShowsNothingYetPagesAnd404s() async throws {
        try await Self.withService { _, _, client in
            for page in ["/", "/pairs", "/training", "/models", "/signals", "/report"] {
                try await client.execute(uri: page, method: .get) { response in
                    #expect(response.status == .ok, "\(page)")
                    #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                    let text = Self.text(response)
                    #expect(page == "/" ? text.contains("No task has run") : text.contains("Nothing yet"), "\(page)")
                    #expect(
                        !text.contains("http://") && !text.contains("https://"),
                        "\(page) loads something from elsewhere")
                }
            }
            for path in [
                "/api/pairs", "/api/training", "/api/selection", "/api/signals", "/api/orders", "/api/orders.csv",
                "/api/report"
            ] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect((Self.json(response)["error"] as? String)?.hasPrefix("nothing yet") == true, "\(path)")
                }
            }
        }
    }

    /// Every operation the OpenAPI document lists answers, with a status it lists.
    @Test func theAPIAnswersAsItsOpenAPIDocumentSays() async throws {
        try await Self.withService { _, _, client in
            let document = try await client.execute(uri: "/openapi.json", method: .get) { Self.json($0) }
            #expect(document["openapi"] as? String == "3.0.3")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            #expect(Set(paths.keys) == Set(OpsAPI.operations.map(\.path)))
            for (path, methods) in paths {
                for (method, entry) in methods {
                    let statuses = Set(
                        ((entry as? [String: Any])?["responses"] as? [String: Any] ?? [:]).keys.compactMap { Int($0) })
                    let uri = path.replacingOccurrences(of: "{id}", with: "unknown").replacingOccurrences(
                        of: "{name}", with: "router"
                    )
                    .replacingOccurrences(of: "{alias}", with: "champion")
                    let response =
                        method == "get"
                        ? try await client.execute(uri: uri, method: .get) { $0 }
                        : try await Self.post(client, uri, json: "{}")
                    #expect(
                        statuses.contains(Int(response.status.code)),
                        "\(method) \(uri) answered \(response.status.code), the document lists \(statuses.sorted())")
                    // A documented refusal is the API's own, not the router's answer to a route it lacks.
                    if response.status.code >= 400 {
                        #expect(
                            Self.json(response)["error"] is String,
                            "\(method) \(uri): \(response.status.code) without the API's error body")
                    }
                }
            }
        }
    }

    @Test func oneTaskRunsAtATimeAndItsLogAndExitAreKept() async throws {
        try await Self.withService { service, _, client in
            let started = try await Self.post(client, "/api/tasks", json: #"{"kind": "echo"}"#)
            #expect(started.status == .accepted, "\(Self.text(started))")
            let id = try #require(Self.json(started)["id"] as? String)
            let second = try await Self.post(client, "/api/tasks", json: #"{"kind": "echo"}"#)
            #expect(
                second.status == .conflict && (Self.json(second)["error"] as? String)?.contains(id) == true,
                "\(Self.text(second))")
            // The live log: every line, then the end.
            let stream = try #require(service.runner.follow(id))
            var followed: [String] = []
            for await line in stream { followed.append(line.text) }
            #expect(followed == ["first", "second"])
            let task = try await Self.waitUntilDone(service, id)
            #expect(task.state == .failed && task.exitStatus == 3)
            try await client.execute(uri: "/api/tasks/\(id)?from=2", method: .get) { response in
                let log = Self.json(response)["log"] as? [[String: Any]]
                #expect(log?.map { $0["text"] as? String } == ["second"])
            }
            try await client.execute(uri: "/", method: .get) { response in
                let page = Self.text(response)
                #expect(page.contains(#"id="task-state" class="state-failed""#) && page.contains("second"))
            }
            #expect(try await Self.post(client, "/api/tasks", json: #"{"kind": "echo"}"#).status == .accepted)
        }
    }

    /// The last tasks and their logs outlive the server; one it was running when it stopped is
    /// shown as failed, its end unknown, not as running forever.
    @Test func theLastTasksOutliveARestart() async throws {
        let file = try temporaryDirectory("ops-history") + "/ops/tasks.json"
        let first = TaskRunner(file: file)
        let done = try first.start(kind: "echo", executable: "/bin/sh", arguments: ["-c", "echo kept; exit 2"])
        for _ in 0..<200 where first.task(done.id)?.state == .running { try await Task.sleep(nanoseconds: 25_000_000) }
        let running = try first.start(kind: "echo", executable: "/bin/sh", arguments: ["-c", "sleep 2"])
        let second = TaskRunner(file: file)
        #expect(second.list().map(\.id) == [running.id, done.id])
        #expect(second.task(done.id)?.exitStatus == 2 && second.lines(done.id)?.map(\.text) == ["kept"])
        #expect(second.task(running.id)?.state == .failed)
        #expect(second.lines(running.id)?.last?.text.contains("stopped while this task ran") == true)
        #expect(second.running == nil)
    }

    @Test(arguments: [
        (#"{"kind": "nope"}"#, "unknown task kind 'nope'"),
        (#"{"kind": "echo", "settings": {"bad": true}}"#, "--bad is not a flag"),
        (#"{"kind": "echo", "settings": {"data_dir": "/etc"}}"#, "cannot be set per task"),
        (#"{"kind": "echo", "settings": {"pause_at": "metadata"}}"#, "setting 'pause_at' is not one a echo task takes"),
        (#"{"kind": "echo", "settings": {"Top-K": 1}}"#, "is not a flag name"),
        (#"{"kind": "echo", "settings": {"top_k": [1]}}"#, "the body must be JSON"),
        ("not json", "the body must be JSON")
    ])
    func badTaskRequestsAre400NamingTheProblem(body: String, problem: String) async throws {
        try await Self.withService { service, _, client in
            let response = try await Self.post(client, "/api/tasks", json: body)
            #expect(response.status == .badRequest)
            #expect((Self.json(response)["error"] as? String)?.contains(problem) == true, "\(Self.text(response))")
            #expect(service.runner.list().isEmpty)
        }
    }

    /// A command-line run holding the kind's lock (cron) makes a start 409, not a second run beside it.
    @Test func aLockHeldByACommandLineRunIs409() async throws {
        try await Self.withService { service, locations, client in
            let lock = CycleLock(locations: locations, file: "test.lock")
            try lock.acquire()
            let refused = try await Self.post(client, "/api/tasks", json: #"{"kind": "echo"}"#)
            #expect(
                refused.status == .conflict
                    && (Self.json(refused)["error"] as? String)?.contains("test.lock held by pid \(getpid())") == true,
                "\(Self.text(refused))")
            lock.release()
            let started = try await Self.post(client, "/api/tasks", json: #"{"kind": "echo"}"#)
            #expect(started.status == .accepted)
            _ = try await Self.waitUntilDone(service, Self.json(started)["id"] as? String ?? "")
        }
    }

    @Test func beyondLoopbackTheServerIsReadOnlyUnlessAllowedAndThenNeedsTheToken() async throws {
        try await Self.withService(host: "0.0.0.0") { _, _, client in
            let refused = try await Self.post(client, "/api/tasks", json: #"{"kind": "echo"}"#)
            #expect(
                refused.status == .forbidden
                    && (Self.json(refused)["error"] as? String)?.contains("--allow-writes") == true)
            try await client.execute(uri: "/", method: .get) { #expect(Self.text($0).contains("Read-only")) }
        }
        await #expect(throws: OpsError.self) {
            try await Self.withService(host: "0.0.0.0", allowWrites: true, token: nil) { _, _, _ in }
        }
        try await Self.withService(host: "0.0.0.0", allowWrites: true, token: "s3cret") { service, _, client in
            #expect(try await Self.post(client, "/api/tasks", json: #"{"kind": "echo"}"#).status == .unauthorized)
            #expect(
                try await Self.post(
                    client, "/api/tasks", json: #"{"kind": "echo"}"#, headers: [.authorization: "Bearer wrong!"]
                ).status == .unauthorized)
            let started = try await Self.post(
                client, "/api/tasks", json: #"{"kind": "echo"}"#, headers: [.authorization: "Bearer s3cret"])
            #expect(started.status == .accepted)
            _ = try await Self.waitUntilDone(service, Self.json(started)["id"] as? String ?? "")
        }
    }

    /// A form posted without the page's token, or from another origin, starts nothing.
    @Test func dashboardFormsNeedTheirCSRFTokenAndThisOrigin() async throws {
        try await Self.withService { service, _, client in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let missing = try await client.execute(
                uri: "/ui/tasks", method: .post, headers: form, body: ByteBuffer(string: "kind=echo"))
            #expect(missing.status == .forbidden && Self.text(missing).contains("token is missing or stale"))
            var foreign = form
            foreign[.origin] = "http://evil.example"
            let crossSite = try await client.execute(
                uri: "/ui/tasks", method: .post, headers: foreign,
                body: ByteBuffer(string: "kind=echo&csrf=\(service.csrf)"))
            #expect(crossSite.status == .forbidden && Self.text(crossSite).contains("cannot act on this server"))
            #expect(service.runner.list().isEmpty)
            let accepted = try await client.execute(
                uri: "/ui/tasks", method: .post, headers: form,
                body: ByteBuffer(string: "kind=echo&csrf=\(service.csrf)"))
            #expect(accepted.status == .seeOther && accepted.headers[.location] == "/")
            _ = try await Self.waitUntilDone(service, service.runner.list().first?.id ?? "")
        }
    }

    /// A page of another site can post a form or text/plain to a local server without asking the
    /// browser; the API takes JSON only and refuses another origin, so such a page starts nothing.
    @Test func apiWritesTakeJSONFromThisOriginOnly() async throws {
        try await Self.withService { service, _, client in
            let plain = try await client.execute(
                uri: "/api/tasks", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: #"{"kind": "echo"}"#))
            #expect(plain.status == .unsupportedMediaType)
            let foreign = try await Self.post(
                client, "/api/tasks", json: #"{"kind": "echo"}"#, headers: [.origin: "http://evil.example"])
            #expect(
                foreign.status == .forbidden
                    && (Self.json(foreign)["error"] as? String)?.contains("evil.example") == true)
            #expect(service.runner.list().isEmpty)
        }
    }

    /// A setting's value stays the value of its own flag: `{"top_k": "--data-dir=/etc"}` cannot
    /// give the command a second flag.
    @Test func aSettingsValueCannotBecomeAFlag() throws {
        #expect(
            try Self.shell("echo", "").arguments(from: [
                "top_k": .value("--data-dir=/etc"), "force": .flag(true), "quiet": .flag(false)
            ])
                == ["--force", "--top-k=--data-dir=/etc"])
    }

    /// A page whose name was rebound to 127.0.0.1 is same-origin with itself, not with this server:
    /// a loopback server acts only on requests addressed to loopback.
    @Test func aLoopbackServerRefusesRequestsAddressedToAnotherName() async throws {
        try await Self.withService { service, _, _ in
            func request(_ authority: String) -> Request {
                Request(
                    head: .init(method: .post, scheme: "http", authority: authority, path: "/api/tasks"),
                    body: .init(buffer: ByteBuffer()))
            }
            #expect(throws: OpsError.self) { try service.checkOrigin(request("evil.example:8000")) }
            for authority in ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"] {
                #expect(throws: Never.self) { try service.checkOrigin(request(authority)) }
            }
        }
    }

    /// Reads too answer only when the request names loopback: a rebound name (or no Host at all,
    /// as HTTP/1.0 allows) cannot read the orders, a task's log or the CSRF token in a page.
    @Test func aLoopbackServerAnswersNoReadAddressedElsewhereOrToNoOne() async throws {
        try await Self.withService(port: 0) { service, _, _ in
            let (ports, portSink) = AsyncStream<Int>.makeStream()
            let server = Task { try await service.run { port in portSink.yield(port) } }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            func status(_ head: String) throws -> String {
                let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(socket) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = UInt16(port).bigEndian
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                try #require(connected == 0)
                let bytes = Array((head + "\r\n\r\n").utf8)
                _ = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(socket, &buffer, buffer.count, 0)
                return String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self).split(separator: "\r\n").first.map(
                    String.init) ?? ""
            }
            for path in ["/", "/api/tasks", "/api/orders"] {
                #expect(
                    try status("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)").contains(" 403 ") == false,
                    "\(path) named loopback")
                #expect(
                    try status("GET \(path) HTTP/1.1\r\nHost: evil.example:\(port)").contains(" 403 "),
                    "\(path) addressed elsewhere")
                #expect(try status("GET \(path) HTTP/1.0").contains(" 403 "), "\(path) with no Host")
            }
            // Until its service group has ended (it ignores SIGTERM while it runs, which a task
            // started meanwhile would inherit).
            server.cancel()
            _ = await server.result
        }
    }

    /// A running task stops through the API: SIGTERM, and SIGKILL after the grace period for a
    /// program that ignores it; the lock it held is free again and the task says it was cancelled.
    @Test func aRunningTaskIsCancelledThroughTheAPI() async throws {
        // The polite program stops on SIGTERM as ours do: its own handler, and SIGTERM unblocked
        // (this test process's dispatch signal sources can leave it blocked in the thread that
        // spawns, and a child inherits the mask); the stubborn one ignores it.
        let polite =
            #"use POSIX; sigprocmask(SIG_UNBLOCK, POSIX::SigSet->new(SIGTERM)); $| = 1; $SIG{TERM} = sub { print "stopping\n"; exit 0 }; print "started\n"; sleep 30"#
        let kinds = [
            Self.shell("polite", "exec perl -e '\(polite)'"),
            Self.shell("stubborn", "trap '' TERM; echo started; while true; do sleep 0.1; done")
        ]
        try await Self.withService(kinds: kinds) { service, _, client in
            service.runner.cancelGrace = 0.5
            for kind in ["polite", "stubborn"] {
                let started = try await Self.post(client, "/api/tasks", json: #"{"kind": "\#(kind)"}"#)
                let id = try #require(Self.json(started)["id"] as? String)
                for _ in 0..<200 where service.runner.lines(id)?.isEmpty != false {
                    try await Task.sleep(nanoseconds: 10_000_000)
                }
                let cancel = try await Self.post(client, "/api/tasks/\(id)/cancel", json: "{}")
                #expect(cancel.status == .accepted, "\(Self.text(cancel))")
                let ended = try await Self.waitUntilDone(service, id)
                #expect(ended.state == .cancelled, "\(kind): \(ended)")
                #expect(ended.exitStatus == (kind == "polite" ? 0 : SIGKILL), "\(kind): \(ended)")
                if kind == "polite" { #expect(service.runner.lines(id)?.map(\.text).contains("stopping") == true) }
                let again = try await Self.post(client, "/api/tasks/\(id)/cancel", json: "{}")
                #expect(
                    again.status == .conflict && (Self.json(again)["error"] as? String)?.contains("not running") == true
                )
            }
            let unknown = try await Self.post(client, "/api/tasks/nope/cancel", json: "{}")
            #expect(unknown.status == .notFound)
        }
    }

    @Test func promoteAndRollBackMoveTheAliasAndRefuseWhatCannotBeDone() async throws {
        try await Self.withService { _, locations, client in
            let models = ModelStore(root: locations.modelsDirectory)
            let first = try Fixture.writeVersion(models)
            let second = try Fixture.writeVersion(models)
            try models.setAlias("router", alias: "champion", version: second)
            let promoted = try await Self.post(
                client, "/api/models/router/aliases/champion", json: #"{"version": \#(first)}"#)
            #expect(promoted.status == .ok, "\(Self.text(promoted))")
            #expect(try models.aliases("router")["champion"] == first)
            let back = try await Self.post(client, "/api/models/router/aliases/champion/rollback", json: "{}")
            #expect(back.status == .ok, "\(Self.text(back))")
            #expect(try models.aliases("router")["champion"] == second)
            let nothingEarlier = try await Self.post(client, "/api/models/router/aliases/champion/rollback", json: "{}")
            #expect(
                nothingEarlier.status == .badRequest
                    && (Self.json(nothingEarlier)["error"] as? String)?.contains("no earlier version") == true)
            let missing = try await Self.post(client, "/api/models/router/aliases/champion", json: #"{"version": 99}"#)
            #expect(missing.status == .badRequest)
            #expect(try models.aliases("router")["champion"] == second)
            #expect(
                try await Self.post(client, "/api/models/other/aliases/champion", json: #"{"version": 1}"#).status
                    == .notFound)
            try await client.execute(uri: "/models", method: .get) { response in
                let page = Self.text(response)
                #expect(page.contains("champion → \(second)") && page.contains(#"id="promote-\#(first)""#))
            }
        }
    }
}

/// The Live page, the ledger's API and metrics, and re-enabling a stopped pair from the dashboard.
@Suite(.serialized)
struct LivePageTests {
    /// Two booked bars of one pair (an entry and its fill), then the pair stopped by hand.
    static func bookStoppedPair(_ locations: Locations) throws {
        let store = try DataStore(path: locations.dataPath("mntrading.sqlite"), schemas: [.portfolio])
        let broker = PaperBroker(execution: Execution(), sizing: AggregationParameters(), limits: RiskLimits())
        let member = PaperBroker.Member(pair: "AUSDT__BUSDT", legA: "AUSDT", legB: "BUSDT", expectation: nil)
        try store.write { db in
            var state = try LedgerRecords.open(db, modelName: "router", modelSource: "/models", capital: 10_000)
            for t in 0..<2 {
                let signal = SignalRecord(
                    pair: "AUSDT__BUSDT", openTime: Int64(t) * 300_000, modelName: "router", modelVersion: 3,
                    timeframe: "5m",
                    legA: "AUSDT", legB: "BUSDT", proba: 0.9, signal: -1, threshold: 0.6, z: 2, beta: 1,
                    closeA: 10 + Double(t),
                    closeB: 20, spreadVolatility: 0.01, scoredAt: 0)
                let bar = try broker.book(
                    .init(
                        openTime: Int64(t) * 300_000, modelVersion: 3, members: [member],
                        signals: [signal.pair: signal],
                        closes: ["AUSDT": signal.closeA, "BUSDT": 20]), into: &state)
                try LedgerRecords.write(bar, state: state, in: db)
            }
            state.pairs[0].status = .stopped
            state.pairs[0].reason = "drawdown 25.00% over --max-drawdown 20.00%"
            try LedgerRecords.save(state, in: db)
        }
    }

    @Test func theLivePageShowsTheLedgerAndAStoppedPairIsReEnabledFromIt() async throws {
        try await OpsServiceTests.withService { service, locations, client in
            try await client.execute(uri: "/live", method: .get) { response in
                #expect(OpsServiceTests.text(response).contains("Nothing yet: the paper ledger has booked no bar"))
            }
            try await client.execute(uri: "/api/ledger", method: .get) { #expect($0.status == .notFound) }
            try Self.bookStoppedPair(locations)
            let page = try await client.execute(uri: "/live", method: .get) { OpsServiceTests.text($0) }
            #expect(
                page.contains(#"id="positions""#) && page.contains(#"id="fills""#)
                    && page.contains(#"id="live-equity""#))
            #expect(
                page.contains(#"<span class="pair-stopped">stopped</span>"#)
                    && page.contains("drawdown 25.00% over --max-drawdown 20.00%"))
            #expect(page.contains(#"id="enable-AUSDT__BUSDT""#))
            let csv = try await client.execute(uri: "/api/ledger/fills.csv", method: .get) { OpsServiceTests.text($0) }
            #expect(csv.hasPrefix("time,pair,symbol,side") && csv.split(separator: "\n").count == 3, "\(csv)")
            let metrics = try await client.execute(uri: "/metrics", method: .get) { OpsServiceTests.text($0) }
            #expect(
                metrics.contains(#"mntrading_ledger_pair_state{pair="AUSDT__BUSDT",state="stopped"} 1.0"#), "\(metrics)"
            )
            #expect(metrics.contains("mntrading_ledger_equity "))
            // The form without the page's token does nothing; with it the pair trades again.
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let refused = try await client.execute(
                uri: "/ui/ledger/enable", method: .post, headers: form, body: ByteBuffer(string: "pair=AUSDT__BUSDT"))
            #expect(refused.status == .forbidden)
            let enabled = try await client.execute(
                uri: "/ui/ledger/enable", method: .post, headers: form,
                body: ByteBuffer(string: "pair=AUSDT__BUSDT&csrf=\(service.csrf)"))
            #expect(enabled.status == .seeOther && enabled.headers[.location] == "/live")
            let after = try await client.execute(uri: "/api/ledger", method: .get) { OpsServiceTests.json($0) }
            let pairs = ((after["state"] as? [String: Any])?["pairs"] as? [[String: Any]]) ?? []
            #expect(
                pairs.first?["status"] as? String == "ok" && pairs.first?["reason"] as? String == "re-enabled by hand",
                "\(after)")
            let metricsAfter = try await client.execute(uri: "/metrics", method: .get) { OpsServiceTests.text($0) }
            #expect(metricsAfter.contains(#"mntrading_ledger_pair_state{pair="AUSDT__BUSDT",state="ok"} 1.0"#))
            // Through the API: an unknown pair is a 400 naming the pairs; nothing left to enable.
            let unknown = try await OpsServiceTests.post(client, "/api/ledger/enable", json: #"{"pair": "X__Y"}"#)
            #expect(
                unknown.status == .badRequest
                    && (OpsServiceTests.json(unknown)["error"] as? String)?.contains("AUSDT__BUSDT") == true)
            let all = try await OpsServiceTests.post(client, "/api/ledger/enable", json: #"{"all": true}"#)
            #expect(all.status == .ok && (OpsServiceTests.json(all)["enabled"] as? [String]) == [])
        }
    }
}
