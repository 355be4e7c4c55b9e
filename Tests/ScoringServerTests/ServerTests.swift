import Foundation
import HTTPClient
import Logging
import TestSupport
import Testing
@testable import ModelFormat
@testable import Scoring
@testable import ScoringServer

/// The real server, in process, on 127.0.0.1 and an ephemeral port; requests go through libcurl.
@Suite(.serialized)
struct ServerTests {
    /// `alias`: the URI's alias; only `champion` is set (to version 1).
    static func withServer<T: Sendable>(
        maxBodyBytes: Int = 1 << 20, timeout: Double = 60, reloadInterval: Double = 0,
        idleTimeout: Double = 30, headerTimeout: Double = 10,
        root: String = Fixture.directory(), alias: String = "champion",
        _ body: @Sendable @escaping (String) throws -> T
    ) async throws -> T {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        try Fixture.writeVersion(store)
        try store.setAlias("router", alias: "champion", version: 1)
        var configuration = ServerConfiguration(modelURI: "models:/router@\(alias)", modelsDirectory: root)
        configuration.port = 0
        configuration.maxBodyBytes = maxBodyBytes
        configuration.timeout = timeout
        configuration.reloadInterval = reloadInterval
        configuration.idleTimeout = idleTimeout
        configuration.headerTimeout = headerTimeout
        var logger = Logger(label: "test-server")
        logger.logLevel = .critical
        let service = try ScoringService(configuration: configuration, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await service.run { continuation.yield($0) }
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                throw ScoringError(errorCode: "TEST", message: "server did not start")
            }
            defer { group.cancelAll() }
            return try await onThread { try body("http://127.0.0.1:\(port)") }
        }
    }

    static func client() throws -> HTTPClient {
        try HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: 2, totalTimeout: 10, retry: RetryPolicy(maxAttempts: 1)))
    }

    static func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    static let split =
        #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["P1__X", 2.0, 0], ["P2__Y", -2, 0.5]]}}"#

    @Test func healthVersionAndInvocations() async throws {
        try await Self.withServer { base in
            let http = try Self.client()
            for path in ["/ping", "/health"] {
                let ping = try http.get(base + path)
                #expect(
                    ping.status == 200 && ping.bodyText == "\n" && ping.header("content-type") == "application/json")
            }
            #expect(try http.get(base + "/version").bodyText == ScoringService.version)
            let answer = try http.post(
                base + "/invocations", body: Array(Self.split.utf8), contentType: "application/json")
            #expect(answer.status == 200)
            let predictions = Self.json(answer)["predictions"] as? [[String: Any]] ?? []
            #expect(predictions.map { $0["pair"] as? String } == ["P1__X", "P2__Y"])
            #expect(predictions.map { $0["signal"] as? Int } == [-1, 1])
            let csv = try http.post(
                base + "/invocations", body: Array("pair,z,z_velocity\nP1__X,2,0\n".utf8),
                contentType: "text/csv; charset=utf-8")
            #expect(csv.status == 200)
            let metadata = Self.json(try http.get(base + "/metadata"))
            #expect(metadata["feature_columns"] as? [String] == Fixture.columns)
            #expect((metadata["pairs"] as? [[String: Any]])?.count == 2)
            #expect(metadata["version"] as? Int == 1)
            // What the client decodes is what the manifest says, through the one shared type.
            let decoded = try ModelMetadata.decode(Data(try http.get(base + "/metadata").body))
            #expect(decoded.name == "router" && decoded.version == 1 && decoded.modelUri == "models:/router@champion")
            #expect(
                decoded.pairs.map(\.pair) == ["P1__X", "P2__Y"]
                    && decoded.signature?.inputs == ["pair"] + Fixture.columns)
            let metrics = try http.get(base + "/metrics").bodyText
            #expect(metrics.contains("mntrading_requests_total{path=\"/invocations\",status=\"200\"} 2"))
            #expect(metrics.contains("mntrading_rows_scored_total 3"))
            #expect(try http.get(base + "/nowhere").status == 404)
        }
    }

    @Test func contentTypeRulesAndBodyLimit() async throws {
        try await Self.withServer(maxBodyBytes: 2_000) { base in
            let http = try Self.client()
            let body = Array(Self.split.utf8)
            // MLflow answers 500 without a Content-Type; it is the client's mistake, so 415 here.
            let none = try http.send(HTTPRequest(method: "POST", url: base + "/invocations", body: body))
            #expect(none.status == 415)
            let plain = try http.post(base + "/invocations", body: body, contentType: "text/plain")
            #expect(plain.status == 415 && plain.bodyText.contains("only supports the following content types"))
            let latin = try http.post(
                base + "/invocations", body: body, contentType: "application/json; charset=latin-1")
            #expect(latin.status == 415 && latin.bodyText == "The scoring server only supports UTF-8")
            let parameter = try http.post(
                base + "/invocations", body: body, contentType: "application/json; format=pandas")
            #expect(
                parameter.status == 415 && parameter.bodyText.contains("Unrecognized content type parameters: format"))
            let upper = try http.post(base + "/invocations", body: body, contentType: "application/json; charset=UTF-8")
            #expect(upper.status == 200)
            let big = try http.post(
                base + "/invocations", body: Array(repeating: 32, count: 5_000) + body, contentType: "application/json")
            #expect(big.status == 413)
            // Routes as FastAPI answers them: unknown path 404, known path with the wrong method 405.
            let unknown = try http.get(base + "/predict")
            #expect(unknown.status == 404 && unknown.bodyText == #"{"detail":"Not Found"}"#)
            let wrongMethod = try http.get(base + "/invocations")
            #expect(
                wrongMethod.status == 405 && wrongMethod.bodyText == #"{"detail":"Method Not Allowed"}"#
                    && wrongMethod.header("allow") == "POST")
            #expect(try http.post(base + "/ping", body: [], contentType: "application/json").status == 405)
            #expect(try http.get(base + "/ping").status == 200)
        }
    }

    @Test func clientMistakesAre4xxJSON() async throws {
        try await Self.withServer { base in
            let http = try Self.client()
            let cases: [(String, Int, String)] = [
                ("not json", 400, "BAD_REQUEST"),
                (
                    #"{"dataframe_split": {"columns": ["pair", "z"], "data": [["P1__X", 1]]}}"#, 400,
                    "INVALID_PARAMETER_VALUE"
                ),
                (
                    #"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": [["ZZ__X", 1, 0]]}}"#, 400,
                    "BAD_REQUEST"
                ),
                (#"{"a": 1}"#, 400, "BAD_REQUEST")
            ]
            for (body, status, code) in cases {
                let response = try http.post(
                    base + "/invocations", body: Array(body.utf8), contentType: "application/json")
                #expect(response.status == status, "\(body)")
                #expect(Self.json(response)["error_code"] as? String == code, "\(body): \(response.bodyText)")
                #expect(Self.json(response)["message"] is String)
            }
        }
    }
}

extension ServerTests {
    /// Moving the alias swaps the new version in without a failed request; a corrupt version is
    /// rejected, counted, and the old one keeps serving.
    @Test func hotSwapFollowsTheAliasAndRejectsABrokenVersion() async throws {
        let root = Fixture.directory()
        try await Self.withServer(reloadInterval: 0.1, root: root) { base in
            let http = try Self.client()
            let store = ModelStore(root: root)
            #expect(Self.json(try http.get(base + "/metadata"))["version"] as? Int == 1)
            try Fixture.writeVersion(store)
            try store.setAlias("router", alias: "champion", version: 2)
            var version = 1, failures = 0
            let deadline = Date().addingTimeInterval(10)
            while version != 2 && Date() < deadline {
                let answer = try http.post(
                    base + "/invocations", body: Array(Self.split.utf8), contentType: "application/json")
                if answer.status != 200 { failures += 1 }
                version = (Self.json(answer)["predictions"] as? [[String: Any]])?.first?["model_version"] as? Int ?? 0
            }
            #expect(version == 2 && failures == 0)
            try Fixture.writeVersion(store) { try FileManager.default.removeItem(atPath: $0 + "/members/P1__X.onnx") }
            try store.setAlias("router", alias: "champion", version: 3)
            var rejected = false
            while !rejected && Date() < deadline.addingTimeInterval(10) {
                rejected = try http.get(base + "/metrics").bodyText.contains("mntrading_reload_failures_total 1")
                Thread.sleep(forTimeInterval: 0.05)
            }
            #expect(rejected)
            #expect(Self.json(try http.get(base + "/metadata"))["version"] as? Int == 2)
            #expect(try http.get(base + "/ping").status == 200)
        }
    }
}

extension ServerTests {
    /// Thousands of random and mutated bodies: every answer is 200 or a 4xx with a JSON (or, for
    /// content-type refusals, text) body; nothing is a 5xx; the server stays healthy.
    @Test func fuzzedBodiesNeverBreakTheServer() async throws {
        try await Self.withServer { base in
            let http = try Self.client()
            // Seeded, so that a body that breaks the server can be made again.
            var rng = SeededRandom(seed: 2_000)
            let seeds = [
                Self.split,
                #"{"dataframe_records": [{"pair": "P1__X", "z": 1, "z_velocity": 0}]}"#,
                #"{"inputs": {"pair": ["P2__Y"], "z": [1], "z_velocity": [0]}}"#,
                #"{"instances": [{"pair": "P1__X", "z": null, "z_velocity": "1e3"}], "params": {}}"#
            ]
            let alphabet = Array(#"{}[]":,.-0123456789eE nulltrfasNaInfity\P_XY"#.utf8)
            var statuses: [Int: Int] = [:]
            for round in 0..<2_000 {
                var body = Array(seeds[round % seeds.count].utf8)
                switch round % 5 {
                case 4: // well-formed, with extreme values: must be scored, not refused
                    // The tree member takes any of them; the linear one (weights 0 and 2) has no
                    // probability for ±Inf or 1e308 (Inf as Float), so it gets those only rarely.
                    let values = [
                        "1e308", "-1e-308", "-0.0", "NaN", "Infinity", "null", "\"2.5\"", "0", "123456789012345678"
                    ]
                    let finite = values.filter { $0 != "1e308" && $0 != "Infinity" }
                    let rows = (0..<Int.random(in: 1...20, using: &rng)).map { _ in
                        let tree = Bool.random(using: &rng),
                            pool = tree || Int.random(in: 0..<1_000, using: &rng) == 0 ? values : finite
                        return
                            "[\"\(tree ? "P1__X" : "P2__Y")\", \(pool.randomElement(using: &rng)!), \(pool.randomElement(using: &rng)!)]"
                    }
                    body =
                        Array(#"{"dataframe_split": {"columns": ["pair", "z", "z_velocity"], "data": ["#.utf8)
                        + Array(rows.joined(separator: ",").utf8) + Array("]}}".utf8)
                case 0: // random bytes
                    body = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng)
                    }
                case 1: // flip characters
                    for _ in 0..<Int.random(in: 1...8, using: &rng) where !body.isEmpty {
                        body[Int.random(in: 0..<body.count, using: &rng)] = alphabet.randomElement(using: &rng)!
                    }
                case 2: // truncate
                    body = Array(body.prefix(Int.random(in: 0...body.count, using: &rng)))
                default: // splice in structural characters
                    for _ in 0..<Int.random(in: 1...5, using: &rng) {
                        body.insert(
                            alphabet.randomElement(using: &rng)!, at: Int.random(in: 0...body.count, using: &rng))
                    }
                }
                let contentType = round % 10 == 8 ? "text/csv" : "application/json"
                let response = try http.post(base + "/invocations", body: body, contentType: contentType)
                statuses[response.status, default: 0] += 1
                if round % 5 == 4 {
                    // Scored, unless a row gives the linear member no probability (±Inf, 1e308 as
                    // Float): that one is refused by name, never answered with a NaN.
                    #expect(
                        response.status == 200
                            || (response.status == 400
                                && response.bodyText.contains("its features give no probability")),
                        "well-formed body refused: \(String(decoding: body, as: UTF8.self)) → \(response.bodyText)")
                    #expect(!response.bodyText.contains("NaN"), "an answer with NaN: \(response.bodyText)")
                }
                #expect(
                    response.status == 200 || (400..<500).contains(response.status),
                    "status \(response.status) for \(String(decoding: body, as: UTF8.self))")
                if response.status >= 400 && response.status != 415 {
                    #expect(Self.json(response)["error_code"] is String, "\(response.bodyText)")
                }
            }
            // The mutations must reach both outcomes, or the fuzzer only ever tested one path.
            #expect(statuses[200, default: 0] >= 400, "\(statuses)")
            #expect(statuses.filter { (400..<500).contains($0.key) }.values.reduce(0, +) >= 1_000, "\(statuses)")
            #expect(try http.get(base + "/ping").status == 200)
            #expect(
                try http.post(base + "/invocations", body: Array(Self.split.utf8), contentType: "application/json")
                    .status == 200)
        }
    }
}

/// The bounded queue sheds load with an immediate "overloaded" (503 at the HTTP level) instead of
/// growing, and takes work again once there is room.
struct ScoringPoolTests {
    @Test func aFullQueueRefusesAtOnceAndRecovers() async throws {
        let pool = ScoringPool(workers: 1, queueLimit: 1)
        let release = DispatchSemaphore(value: 0)
        let started = Flag()
        async let busy = pool.run {
            started.set()
            release.wait()
            return 1
        }
        // Polled, not waited on: blocking a cooperative thread here could starve the child task.
        while !started.value { try await Task.sleep(for: .milliseconds(5)) } // the only worker is now busy
        async let queued = pool.run { 2 }
        try await Task.sleep(for: .milliseconds(100)) // let `queued` take the one queue slot
        guard case .overloaded = await pool.run({ 3 }) else {
            Issue.record("a third job found room in a full queue")
            release.signal()
            _ = await (busy, queued)
            return
        }
        release.signal()
        let (first, second) = await (busy, queued)
        guard case .done(.success(1)) = first, case .done(.success(2)) = second else {
            Issue.record("the running and the queued jobs did not finish: \(first), \(second)")
            return
        }
        guard case .done(.success(4)) = await pool.run({ 4 }) else {
            Issue.record("the pool did not take work again after the queue drained")
            return
        }
    }
}

extension ScoringPoolTests {
    /// The deadline answers while the work is still running (not when it ends), and work that
    /// waited in the queue past its deadline is never started.
    @Test func theDeadlineAnswersWhileWorkRunsAndSkipsExpiredQueuedWork() async throws {
        let pool = ScoringPool(workers: 1, queueLimit: 4)
        let release = DispatchSemaphore(value: 0)
        let started = Flag()
        let ranLate = Flag()
        async let blocked = pool.run(timeout: 0.05) {
            started.set()
            release.wait()
            return 1
        }
        while !started.value { try await Task.sleep(for: .milliseconds(5)) }
        // Queued behind the blocked job; its deadline passes before any thread is free.
        let expired = await pool.run(timeout: 0.05) {
            ranLate.set()
            return 2
        }
        guard case .timedOut = expired else {
            Issue.record("a queued job past its deadline answered \(expired)")
            release.signal()
            return
        }
        guard case .timedOut = await blocked else {
            Issue.record("the running job's deadline did not answer")
            release.signal()
            return
        }
        release.signal() // only now can the blocked work finish
        guard case .done(.success(3)) = await pool.run(timeout: 5, { 3 }) else {
            Issue.record("the pool did not recover")
            return
        }
        #expect(!ranLate.value, "work whose deadline had passed in the queue still ran")
    }
}

extension ServerTests {
    /// The limit covers reading the body, as MLflow's does: a client that sends its headers, then
    /// its body only after the limit, gets the 504; the same request sent at once is answered.
    /// (That the 504 comes at the deadline while scoring still runs is ScoringPoolTests'.)
    @Test func aBodyArrivingAfterTheDeadlineIs504() async throws {
        try await Self.withServer(timeout: 0.4) { base in
            let port = UInt16(base.split(separator: ":").last!)!
            let body = Array(Self.split.utf8)
            let head =
                "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
            let prompt = try Self.rawExchange(port: port, head: Array(head.utf8), body: body, pauseBeforeBody: 0)
            #expect(prompt.hasPrefix("HTTP/1.1 200"), "\(prompt.prefix(80))")
            let late = try Self.rawExchange(port: port, head: Array(head.utf8), body: body, pauseBeforeBody: 0.8)
            // As MLflow answers it: a JSON content type over a plain-text body; the server stays healthy.
            #expect(late.hasPrefix("HTTP/1.1 504"), "\(late.prefix(80))")
            #expect(late.lowercased().contains("\r\ncontent-type: application/json\r\n"))
            #expect(late.hasSuffix("\r\n\r\nRequest processing time exceeded limit"))
            #expect(try Self.client().get(base + "/ping").status == 200)
        }
    }

    /// One HTTP exchange over a plain socket, so the body can be held back; returns the whole answer.
    static func rawExchange(port: UInt16, head: [UInt8], body: [UInt8], pauseBeforeBody: Double) throws -> String {
        let socket = try RawConnection(port: port)
        socket.send(head)
        Thread.sleep(forTimeInterval: pauseBeforeBody)
        socket.send(body)
        return socket.read(for: 5).text
    }
}
