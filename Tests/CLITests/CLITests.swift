import Foundation
import ModelFormat
import Portfolio
import PairResearch
import TrainingRecords
import Pipeline
import TestSupport
import HTTPClient
import Testing
import MarketData
import Store

/// Runs the built executables as a user would and checks what they print, exit with and store.
enum CLI {
    /// The directory that holds the built products: next to the test bundle.
    static let productsDirectory: URL = {
        if let override = ProcessInfo.processInfo.environment["MNTRADING_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("mntrading").path) { return url }
            url.deleteLastPathComponent()
        }
        // `swift test` from the package root: .build/debug holds the products.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent(".build/debug")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], program: String = "mntrading", environment: [String: String] = [:]) throws
        -> Result
    {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent(program)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "MNTRADING_DATA_DIR")
        env.removeValue(forKey: "MNTRADING_MODELS_DIR")
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting, so a large output cannot fill a pipe and block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Starts `mntrading-serve` and waits for its one stdout line, `listening on <url>`; returns the
    /// process (the caller stops it) and the URL.
    static func startServer(
        _ arguments: [String], environment: [String: String]? = nil, program: String = "mntrading-serve"
    ) throws -> (process: Process, url: String) {
        let server = Process()
        server.executableURL = productsDirectory.appendingPathComponent(program)
        server.arguments = arguments
        if let environment { server.environment = environment }
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        var line = ""
        while !line.contains("\n"), let chunk = try output.fileHandleForReading.read(upToCount: 1), !chunk.isEmpty {
            line += String(decoding: chunk, as: UTF8.self)
        }
        return (
            server,
            line.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "listening on ", with: "")
        )
    }

    static func temporaryDirectory() throws -> String { try TestSupport.temporaryDirectory("cli") }

    /// Every bar in the store, for "unchanged" checks.
    static func dump(_ dataDirectory: String) throws -> [String: [Bar]] {
        let store = try DataStore(
            dataDirectory: dataDirectory, schemas: [.marketData, .pairResearch, .training, .portfolio, .pipeline])
        var result: [String: [Bar]] = [:]
        for summary in try store.summaries() {
            result["\(summary.symbol)/\(summary.timeframe)"] = try store.bars(
                symbol: summary.symbol, timeframe: summary.timeframe)
        }
        return result
    }
}

@Suite(.serialized)
struct IngestCLITests {
    static let range = ["--since", "2024-03-01", "--until", "2024-03-15"]

    @Test func syntheticIngestTwiceLeavesTheStoreIdentical() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let first = try CLI.run(["ingest", "--source", "synthetic", "--data-dir", data] + Self.range)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            first.stdout.contains("synthetic 1h: 12 symbols, 4032 bars received, 4032 written (4032 new, 0 updated)"))
        let stored = try CLI.dump(data)
        #expect(stored.count == 12 && stored.values.allSatisfy { $0.count == 336 })
        let second = try CLI.run(["ingest", "--source", "synthetic", "--data-dir", data] + Self.range)
        #expect(second.status == 0)
        #expect(second.stdout.contains("0 written (0 new, 0 updated), 4032 unchanged"))
        #expect(try CLI.dump(data) == stored)
        let truth = try SyntheticGroundTruth.decode(
            Data(contentsOf: URL(fileURLWithPath: data + "/synthetic/ground_truth.json")))
        #expect(truth == SyntheticMarket(seed: 42).groundTruth)
    }

    @Test func dataDirComesFromTheEnvironmentToo() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let result = try CLI.run(
            ["ingest", "--symbols", "SYNA0USDT,SYNA1USDT"] + Self.range, environment: ["MNTRADING_DATA_DIR": data])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: data + "/mntrading.sqlite"))
        let check = try CLI.run(["check", "--data-dir", data])
        #expect(check.status == 0)
        #expect(check.stdout.contains("SYNA0USDT 1h: 336 bars, 2024-03-01T00:00:00Z … 2024-03-14T23:00:00Z, no gaps"))
    }

    @Test func checkReportsGapsAndExitsThree() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let rows = [
            "2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z", "2024-01-01T04:00:00Z", "2024-01-01T05:00:00Z",
            "2024-01-01T05:00:00Z"
        ]
        let csv = "open_time,open,high,low,close,volume\n" + rows.map { "\($0),10,11,9,10.5,1" }.joined(separator: "\n")
        try csv.write(toFile: data + "/gap.csv", atomically: true, encoding: .utf8)
        let ingest = try CLI.run([
            "ingest", "--source", "csv", "--csv", data + "/gap.csv", "--symbols", "GAPUSDT", "--data-dir", data,
            "--since", "2024-01-01", "--until", "2024-01-02"
        ])
        #expect(ingest.stdout.contains("4 written (4 new, 0 updated), 0 unchanged, 1 duplicates"), "\(ingest.stdout)")
        let check = try CLI.run(["check", "--data-dir", data])
        #expect(check.status == 3)
        #expect(
            check.stdout.contains(
                "GAPUSDT 1h: 4 bars, 2024-01-01T00:00:00Z … 2024-01-01T05:00:00Z, 1 gaps, 2 missing, longest 2"),
            "\(check.stdout)")
    }

    /// A CSV file from long ago is imported whole by default; bars left out by --since/--until are
    /// counted and said.
    @Test func anOldCSVFileIsImportedWholeAndAWindowSaysWhatItLeftOut() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let start = UTCTime.parse("2018-03-01T00:00:00Z")!
        let csv =
            "open_time,open,high,low,close,volume\n"
            + (0..<48).map { "\(start + Int64($0) * 3_600_000),10,11,9,10.5,1" }.joined(separator: "\n")
        try csv.write(toFile: data + "/old.csv", atomically: true, encoding: .utf8)
        let whole = try CLI.run([
            "ingest", "--source", "csv", "--csv", data + "/old.csv", "--symbols", "OLDUSDT", "--data-dir", data
        ])
        #expect(whole.status == 0 && whole.stdout.contains("48 written (48 new, 0 updated)"), "\(whole.stdout)")
        let part = try CLI.run([
            "ingest", "--source", "csv", "--csv", data + "/old.csv", "--symbols", "OLDUSDT", "--data-dir", data,
            "--since", "2018-03-02", "--until", "2018-03-03"
        ])
        #expect(
            part.stdout.contains(
                "24 bars outside --since 2018-03-02T00:00:00Z … --until 2018-03-03T00:00:00Z left out"),
            "\(part.stdout)")
    }

    @Test func exportedCSVImportsBackToTheSameBars() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        #expect(
            try CLI.run(["ingest", "--symbols", "SYNB1USDT", "--timeframe", "15m", "--data-dir", data] + Self.range)
                .status == 0)
        let export = try CLI.run(["export", "--symbols", "SYNB1USDT", "--timeframe", "15m", "--data-dir", data])
        #expect(export.status == 0, "\(export.stderr)")
        let file = data + "/exports/SYNB1USDT_15m.csv"
        #expect(FileManager.default.fileExists(atPath: file))
        let imported = try CLI.run(
            [
                "ingest", "--source", "csv", "--csv", file, "--symbols", "COPYUSDT", "--timeframe", "15m", "--data-dir",
                data
            ] + Self.range)
        #expect(imported.status == 0, "\(imported.stderr)")
        let stored = try CLI.dump(data)
        #expect(stored["COPYUSDT/15m"] == stored["SYNB1USDT/15m"])
        #expect(stored["COPYUSDT/15m"]?.count == 14 * 96)
    }

    @Test(arguments: [
        (["ingest", "--since", "2024-03-10", "--until", "2024-03-01"], "is not before --until"),
        (["ingest", "--timeframe", "7m"], "unknown timeframe '7m'"),
        (["ingest", "--symbols", "BTCUSDT"], "unknown synthetic symbol 'BTCUSDT'"),
        (["ingest", "--since", "last tuesday"], "--since 'last tuesday' is not a time"),
        (["ingest", "--source", "binance"], "--source binance needs --symbols"),
        (["ingest", "--source", "csv", "--symbols", "AUSDT"], "--source csv needs --csv PATH"),
        (
            ["ingest", "--source", "binance", "--symbols", "BTCUSDT", "--base-url", "ftp://example"],
            "must start with http:// or https://"
        ),
        (
            ["ingest", "--source", "binance", "--symbols", "BTCUSDT", "--binance-url", "ftp://example"],
            "invalid --binance-url 'ftp://example'"
        ),
        (
            [
                "ingest", "--source", "binance", "--symbols", "BTCUSDT", "--binance-url", "http://a", "--base-url",
                "http://b"
            ], "--base-url is the old name of --binance-url"
        ),
        (
            ["ingest", "--source", "none"],
            "mntrading ingest takes --source synthetic, binance, csv, files, archive (got store)"
        ),
        (
            ["pipeline", "--source", "csv"],
            "mntrading pipeline takes --source synthetic, binance, files, archive, store (got csv)"
        ),
        (
            ["ingest", "--source", "csv", "--symbols", "AUSDT", "--csv", "/nonexistent/file.csv"],
            "cannot read CSV '/nonexistent/file.csv'"
        )
    ])
    func badInputIsOneClearLineAndChangesNothing(arguments: [String], message: String) throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        #expect(try CLI.run(["ingest", "--symbols", "SYNC0USDT", "--data-dir", data] + Self.range).status == 0)
        let before = try CLI.dump(data)
        let result = try CLI.run(arguments + ["--data-dir", data])
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(try CLI.dump(data) == before)
    }

    /// The exit codes the README's tables give, for the cases an outside tester found otherwise:
    /// a store that is not one (garbage, or an empty file) is 74, a held lock 75 (a timer tries
    /// again), a flag out of its range or a URL without a host 64, before anything runs.
    @Test func exitCodesAreTheDocumentedOnes() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let dead = "http://127.0.0.1:9"
        for contents in [Data("this is not a database, it is forty bytes!!".utf8), Data()] {
            FileManager.default.createFile(atPath: data + "/mntrading.sqlite", contents: contents)
            let infer = try CLI.run(
                ["--once", "--server", dead, "--data-dir", data, "--source", "none"], program: "mntrading-infer")
            #expect(infer.status == 74 && infer.stderr.contains("mntrading.sqlite"), "\(infer.status) \(infer.stderr)")
            let ingest = try CLI.run(["ingest", "--data-dir", data] + Self.range)
            #expect(
                ingest.status == 74 && ingest.stderr.contains("mntrading.sqlite"), "\(ingest.status) \(ingest.stderr)")
        }
        try FileManager.default.removeItem(atPath: data + "/mntrading.sqlite")
        let lock = CycleLock(
            locations: Locations(dataDirectory: data, modelsDirectory: data + "/models"), file: "pipeline.lock")
        try lock.acquire()
        for arguments in [["pipeline"], ["train"], ["ingest"] + Self.range, ["router"]] {
            let busy = try CLI.run(arguments + ["--data-dir", data])
            #expect(
                busy.status == 75 && busy.stderr.contains("is running over") && busy.stderr.contains("pid \(getpid())"),
                "\(arguments): \(busy.status) \(busy.stderr)")
        }
        lock.release()
        for (arguments, program) in [
            (["--server=http://", "--once"], "mntrading-infer"), (["pipeline", "--max-rounds", "0"], "mntrading"),
            (["pipeline", "--kinds", ","], "mntrading"), (["pipeline", "--pvalue-max", "2"], "mntrading")
        ] {
            let refused = try CLI.run(arguments + ["--data-dir", data], program: program)
            #expect(refused.status == 64, "\(arguments): \(refused.status) \(refused.stderr)")
        }
        // Refused before any stage ran: nothing was ingested.
        #expect(!FileManager.default.fileExists(atPath: data + "/mntrading.sqlite"))
    }

    /// The real ops server's tasks take only their command's own settings, checked by the command
    /// (a NaN is 400 naming the flag, not a task that dies), never a test hook; a running task is
    /// cancelled through the API and its lock is free again; reads answer only under a loopback Host.
    @Test func theOpsServerHoldsTasksToTheirCommandsAndCancelsThem() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let (ops, url) = try CLI.startServer(
            ["ops", "--data-dir", data, "--models-dir", data + "/models", "--port", "0"], program: "mntrading")
        defer {
            ops.terminate()
            ops.waitUntilExit()
        }
        let http = try HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: 5, totalTimeout: 30, retry: RetryPolicy(maxAttempts: 1)))
        func start(_ body: String) throws -> HTTPResponse {
            try http.post(url + "/api/tasks", body: Array(body.utf8), contentType: "application/json")
        }
        func error(_ response: HTTPResponse) -> String {
            ((try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any])?["error"] as? String
                ?? response.bodyText
        }
        for (body, problem) in [
            (#"{"kind": "pipeline", "settings": {"holdout_days": "nan"}}"#, "--holdout-days"),
            (#"{"kind": "pipeline", "settings": {"holdout_days": 1e300}}"#, "--holdout-days"),
            (#"{"kind": "cycle", "settings": {"timeout_read": "inf"}}"#, "--timeout-read"),
            (
                #"{"kind": "cycle", "settings": {"pause_at": "metadata"}}"#,
                "setting 'pause_at' is not one a cycle task takes"
            ),
            (
                #"{"kind": "cycle", "settings": {"check_arguments": true}}"#,
                "setting 'check_arguments' is not one a cycle task takes"
            ),
            (
                #"{"kind": "pipeline", "settings": {"now": "9999-12-31"}}"#,
                "setting 'now' is not one a pipeline task takes"
            ),
            (
                #"{"kind": "pipeline", "settings": {"binance_url": "http://elsewhere.example"}}"#,
                "setting 'binance_url' is not one"
            )
        ] {
            let refused = try start(body)
            #expect(
                refused.status == 400 && error(refused).contains(problem),
                "\(body): \(refused.status) \(error(refused))")
        }
        let started = try start(#"{"kind": "pipeline", "settings": {"screen_days": 60}}"#)
        #expect(started.status == 202, "\(error(started))")
        let id = try #require(
            ((try? JSONSerialization.jsonObject(with: Data(started.body))) as? [String: Any])?["id"] as? String)
        let cancel = try http.post(
            url + "/api/tasks/\(id)/cancel", body: Array("{}".utf8), contentType: "application/json")
        #expect(cancel.status == 202, "\(error(cancel))")
        var state = ""
        for _ in 0..<300 {
            let task =
                ((try? JSONSerialization.jsonObject(with: Data(try http.get(url + "/api/tasks/\(id)").body)))
                as? [String: Any])?["task"] as? [String: Any]
            state = task?["state"] as? String ?? ""
            if state != "running" { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(state == "cancelled")
        #expect(
            CycleLock.holder(
                locations: Locations(dataDirectory: data, modelsDirectory: data + "/models"), file: "pipeline.lock")
                == nil)
        let rebound = try http.get(url + "/api/tasks", headers: [("Host", "evil.example")])
        #expect(rebound.status == 403, "\(rebound.status)")
    }

    /// SIGTERM stops the pipeline after the stage in progress with exit 130 ("interrupted", which a
    /// timer tells from bad flags), and the next run resumes where it stopped.
    @Test func anInterruptedPipelineExits130AndTheNextRunResumes() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let small = [
            "--screen-days", "120", "--train-days", "20", "--beta-window", "300", "--z-window", "100", "--lag-features",
            "3",
            "--holdout-days", "3", "--kinds", "logistic", "--n-splits", "3", "--min-train-rows", "100",
            "--no-guardrails",
            "--now", "2024-07-01", "--data-dir", data, "--models-dir", data + "/models"
        ]
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("mntrading")
        process.arguments = ["pipeline"] + small
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Once the first stage has started (its line is out), ask it to stop.
        var seen = ""
        while !seen.contains("ingest"), let chunk = try output.fileHandleForReading.read(upToCount: 1), !chunk.isEmpty {
            seen += String(decoding: chunk, as: UTF8.self)
        }
        process.terminate()
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let said = seen + String(decoding: rest, as: UTF8.self)
        #expect(
            process.terminationReason == .exit && process.terminationStatus == 130,
            "\(process.terminationStatus): \(said.suffix(400))")
        #expect(
            said.contains("interrupted before") && said.contains("run the pipeline again to resume there"),
            "\(said.suffix(400))")
        let again = try CLI.run(["pipeline"] + small)
        #expect(again.status == 0 || again.status == 10, "\(again.stderr.suffix(400))")
        #expect(again.stdout.contains("skipped") || again.stdout.contains("unchanged"), "\(again.stdout.prefix(600))")
    }

    @Test func aDataDirThatIsAFileIsReported() throws {
        let parent = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        #expect(FileManager.default.createFile(atPath: parent + "/file", contents: Data()))
        let result = try CLI.run(["ingest", "--data-dir", parent + "/file"] + Self.range)
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot create data directory '\(parent)/file'"))
    }

    /// A second process reads the store while a long ingest writes it (WAL).
    @Test func anotherProcessReadsWhileIngestWrites() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        #expect(try CLI.run(["ingest", "--symbols", "SYNA0USDT", "--data-dir", data] + Self.range).status == 0)
        let writer = Process()
        writer.executableURL = CLI.productsDirectory.appendingPathComponent("mntrading")
        writer.arguments = [
            "ingest", "--timeframe", "5m", "--since", "2024-01-01", "--until", "2024-07-01", "--data-dir", data
        ]
        writer.standardOutput = FileHandle.nullDevice
        writer.standardError = FileHandle.nullDevice
        try writer.run()
        var reads = 0
        while writer.isRunning && reads < 50 {
            let check = try CLI.run(["check", "--timeframe", "1h", "--data-dir", data])
            #expect(check.status == 0, "\(check.stderr)")
            #expect(check.stdout.contains("SYNA0USDT 1h: 336 bars"))
            reads += 1
        }
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        #expect(reads > 0)
        #expect(try CLI.dump(data)["SYNA0USDT/5m"]?.count == 182 * 288)
    }

    @Test func programsWithoutWhatTheyNeedSaySoAndFail() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        // No server on that port: bounded retries, one line naming the problem, EX_UNAVAILABLE.
        let infer = try CLI.run(
            ["--once", "--server", "http://127.0.0.1:9", "--attempts", "2", "--data-dir", data],
            program: "mntrading-infer")
        #expect(infer.status == 69)
        #expect(
            infer.stderr.contains(
                "mntrading-infer: error: scoring server unavailable: request to http://127.0.0.1:9/metadata failed after 2 attempts"
            ))
        // --serving-url, as the origin system's client spells it, is the same flag.
        let alias = try CLI.run(
            ["--once", "--serving-url", "http://127.0.0.1:9", "--attempts", "1", "--data-dir", data],
            program: "mntrading-infer")
        #expect(
            alias.status == 69 && alias.stderr.contains("request to http://127.0.0.1:9/metadata failed"),
            "\(alias.stderr)")
        let badFlags = try CLI.run(["--once", "--every", "5m"], program: "mntrading-infer")
        #expect(badFlags.status == 64 && badFlags.stderr.contains("--once and --every exclude each other"))
        // The bar-source flags are the ingest's, with the sources the client can use.
        let csvSource = try CLI.run(["--once", "--source", "csv"], program: "mntrading-infer")
        #expect(
            csvSource.status == 64
                && csvSource.stderr.contains("mntrading-infer takes --source synthetic, binance, store (got csv)"),
            "\(csvSource.stderr)")
        let serve = try CLI.run([], program: "mntrading-serve")
        #expect(serve.status != 0)
        #expect(serve.stderr.contains("a model is required"))
        let missing = try CLI.run(
            ["-m", "models:/nothing@champion", "--models-dir", NSTemporaryDirectory(), "--exit-on-load-failure"],
            program: "mntrading-serve")
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("model nothing has no alias 'champion'"))
        let noLoops = try CLI.run(["-m", "models:/router/1", "--event-loops", "0"], program: "mntrading-serve")
        #expect(
            noLoops.status == 64
                && noLoops.stderr.contains("'--event-loops <event-loops>': must be a whole number from 1 to 256"),
            "\(noLoops.stderr)")
    }

    /// The restart case: a server whose model cannot be loaded keeps running and answers 503 (a
    /// restart policy would turn an exit into a crash loop); `models alias` refuses a version that
    /// would not load, and once the alias points at a good one the server serves it.
    @Test func aServerWithoutALoadableModelWaitsAndTheAliasCommandRefusesBadVersions() throws {
        let models = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: models) }
        let (server, url) = try CLI.startServer([
            "-m", "models:/router@champion", "--models-dir", models, "-p", "0", "--reload-interval", "0.2",
            "--event-loops", "1"
        ])
        defer {
            if server.isRunning {
                kill(server.processIdentifier, SIGTERM)
                server.waitUntilExit()
            }
        }
        let http = try HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: 2, totalTimeout: 5, retry: RetryPolicy(maxAttempts: 1)))
        let waiting = try http.get(url + "/ping")
        #expect(waiting.status == 503 && waiting.bodyText.contains("no model loaded"), "\(waiting.bodyText)")
        #expect(server.isRunning)
        let store = ModelStore(root: models)
        try Fixture.writeVersion(store)
        try Fixture.writeVersion(store) {
            try Data("junk".utf8).write(to: URL(fileURLWithPath: $0 + "/members/P1__X.onnx"))
        }
        let refused = try CLI.run(["models", "alias", "router", "champion", "2", "--models-dir", models])
        #expect(refused.status != 0 && refused.stderr.contains("would not load"), "\(refused.stderr)")
        #expect(try store.aliases("router").isEmpty)
        #expect(try CLI.run(["models", "alias", "router", "champion", "1", "--models-dir", models]).status == 0)
        let deadline = Date().addingTimeInterval(10)
        var status = 0
        while status != 200 && Date() < deadline {
            status = try http.get(url + "/ping").status
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(status == 200)
    }

    @Test func helpAndVersionWork() throws {
        let help = try CLI.run(["ingest", "--help"])
        #expect(help.status == 0)
        #expect(
            help.stdout.contains("--source") && help.stdout.contains("--fill-gaps")
                && help.stdout.contains("--data-dir"))
        let version = try CLI.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.contains("xgboost 1.7") && version.stdout.contains("sqlite 3"))
    }
}

@Suite(.serialized)
struct ResearchCLITests {
    /// screen → ingest 5m → features → dataset on the synthetic store, as the README shows.
    @Test func researchStagesRunFromTheCommandLine() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let dir = ["--data-dir", data]
        #expect(try CLI.run(["ingest", "--since", "2024-01-01", "--until", "2024-07-01"] + dir).status == 0)
        let screen = try CLI.run(["screen"] + dir)
        #expect(screen.status == 0, "\(screen.stderr)")
        #expect(screen.stdout.contains("12 symbols, 66 pairs tested"))
        let files = try FileManager.default.contentsOfDirectory(atPath: data + "/pairs")
        #expect(files.count == 1 && files[0].hasPrefix("screened_pairs_") && files[0].hasSuffix(".json"))
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: data + "/pairs/" + files[0])))
            as! [String: Any]
        let pairs = json["pairs"] as! [[String: Any]]
        #expect(!pairs.isEmpty)
        for key in ["pair", "a", "b", "beta", "alpha", "adf_stat", "pvalue", "lags", "half_life", "corr", "n", "crit"] {
            #expect(pairs[0][key] != nil, "screened pair lacks \(key)")
        }
        // A rerun on the same data is the same run: no second file.
        #expect(try CLI.run(["screen"] + dir).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: data + "/pairs").count == 1)

        let symbols = Set(pairs.flatMap { [$0["a"] as! String, $0["b"] as! String] }).sorted().joined(separator: ",")
        #expect(
            try CLI.run(
                ["ingest", "--symbols", symbols, "--timeframe", "5m", "--since", "2024-05-01", "--until", "2024-06-01"]
                    + dir
            ).status == 0)
        let features = try CLI.run(["features", "--beta-window", "300", "--z-window", "100"] + dir)
        #expect(features.status == 0, "\(features.stderr)")
        #expect(features.stdout.contains("features 5m: \(pairs.count) pairs"))
        let again = try CLI.run(["features", "--beta-window", "300", "--z-window", "100"] + dir)
        #expect(again.stdout.contains("features 5m: \(pairs.count) pairs, 0 rows written"))
        let dataset = try CLI.run(["dataset", "--horizon", "3", "--lag-features", "5"] + dir)
        #expect(dataset.status == 0, "\(dataset.stderr)")
        #expect(dataset.stdout.contains("(z_threshold, 22 features)"))
        // --symbols screens those alone, not everything the store holds.
        let some = try CLI.run(["screen", "--symbols", "SYNA0USDT,SYNA1USDT,SYNX0USDT"] + dir)
        #expect(some.status == 0, "\(some.stderr)")
        #expect(some.stdout.contains("3 symbols, 3 pairs tested"), "\(some.stdout)")
    }

    @Test(arguments: [
        (["screen", "--pvalue-max", "2"], "'--pvalue-max <p>': must be a number above 0 and at most 1"),
        (["screen", "--top-k", "0"], "'--top-k <k>': must be a whole number from 1 to 100000"),
        (["screen", "--autolag", "fixed"], "--autolag fixed needs --max-lag"),
        (["screen", "--symbols", "SYNA0USDT,NOPEUSDT"], "no 1h bars in the store for NOPEUSDT"),
        (["screen", "--symbols", "SYNA0USDT,SYNA0USDT"], "--symbols needs at least two different symbols"),
        (["features", "--z-window", "3"], "'--z-window <bars>': must be a whole number from 10 to 1000000 (bars)"),
        (["features", "--pairs", "/nonexistent.json"], "cannot read pairs file"),
        (["dataset", "--horizon", "0"], "'--horizon <bars>': must be a whole number from 1 to 10000 (bars)"),
        (["dataset", "--label-type", "magic"], "magic")
    ])
    func badFlagsAreClearErrors(arguments: [String], message: String) throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        #expect(
            try CLI.run(["ingest", "--since", "2024-01-01", "--until", "2024-02-01"] + ["--data-dir", data]).status == 0
        )
        let result = try CLI.run(arguments + ["--data-dir", data])
        #expect(result.status == 64, "status \(result.status)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// A screen that keeps nothing says which rule removed how many; two screens in one second
    /// keep their own files.
    @Test func aScreenSaysWhatRemovedThePairs() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        #expect(
            try CLI.run(["ingest", "--since", "2024-01-01", "--until", "2024-03-01", "--data-dir", data]).status == 0)
        let strict = try CLI.run(["screen", "--corr-min", "0.999", "--data-dir", data])
        #expect(strict.status == 0)
        #expect(strict.stdout.contains("66 pairs tested, 0 selected (removed: 66 by --corr-min)"), "\(strict.stdout)")
        let loose = try CLI.run(["screen", "--pvalue-max", "1", "--corr-min=-1", "--top-k", "3", "--data-dir", data])
        #expect(loose.stdout.contains("63 by --top-k"), "\(loose.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: data + "/pairs").filter {
            $0.hasPrefix("screened_pairs_")
        }
        #expect(files.count == 2, "\(files)")
    }

    @Test func screeningAnEmptyStoreSaysWhatToDo() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let result = try CLI.run(["screen", "--data-dir", data])
        #expect(result.status != 0)
        #expect(result.stderr.contains("run `mntrading ingest --timeframe 1h` first"))
    }
}

@Suite(.serialized)
struct TrainingCLITests {
    @Test func trainSelectAndBacktestFromTheCommandLine() throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let dir = ["--data-dir", data]
        #expect(try CLI.run(["ingest", "--since", "2024-01-01", "--until", "2024-07-01"] + dir).status == 0)
        #expect(try CLI.run(["screen", "--top-k", "2"] + dir).status == 0)
        let symbols =
            "SYNA0USDT,SYNA1USDT,SYNA2USDT,SYNB0USDT,SYNB1USDT,SYNC0USDT,SYNC1USDT,SYND0USDT,SYND1USDT,SYNX0USDT,SYNX1USDT,SYNX2USDT"
        #expect(
            try CLI.run(
                ["ingest", "--symbols", symbols, "--timeframe", "5m", "--since", "2024-06-15", "--until", "2024-07-01"]
                    + dir
            ).status == 0)
        #expect(try CLI.run(["features", "--beta-window", "200", "--z-window", "60"] + dir).status == 0)
        #expect(try CLI.run(["dataset", "--lag-features", "3"] + dir).status == 0)
        let train = try CLI.run(
            [
                "train", "--n-splits", "3", "--max-rounds", "30", "--kinds", "gbdt,logistic", "--min-rows", "200",
                "--threads", "1",
                "--holdout-days", "3", "--min-train-rows", "100"
            ] + dir)
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("train: 2/2 pairs trained"))
        let report =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: data + "/training/report.json"))) as! [String: Any]
        let pairs = report["pairs"] as! [[String: Any]]
        #expect(pairs.count == 2)
        for key in [
            "pair", "oof_roc_auc", "oof_pr_auc", "oof_brier", "oof_log_loss", "backtest", "baseline_z_rule", "champion",
            "folds", "feature_importance",
            "holdout", "trials", "screen"
        ] {
            #expect(pairs[0][key] != nil, "report entry lacks \(key)")
        }
        let tooShort = try CLI.run(["train", "--holdout-days", "40", "--min-train-rows", "100"] + dir)
        #expect(tooShort.status != 0 && tooShort.stderr.contains("data too short for a holdout"), "\(tooShort.stderr)")
        // The screen above saw the whole half year, the 5m bars included: every figure is in sample.
        #expect(train.stdout.contains("note: out-of-fold figures are in sample"))
        let guarded = try CLI.run(["select"] + dir)
        #expect(guarded.status == 0)
        #expect(
            guarded.stdout.contains("select: 0 of 2 pairs selected") && guarded.stdout.contains("figures in sample"),
            "\(guarded.stdout)")
        #expect(guarded.stderr.contains("in sample"))
        let select = try CLI.run(["select", "--no-guardrails"] + dir)
        #expect(select.status == 0)
        #expect(select.stderr.contains("warning: no guardrails"))
        #expect(
            select.stdout.contains("select: 2 of 2 pairs selected")
                && select.stdout.contains("selected without guardrails"))
        let recorded =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: data + "/training/selection.json"))) as! [String: Any]
        // Two pairs × three candidates (gbdt at two depths, logistic).
        #expect(
            recorded["guardrails"] as? Bool == false && recorded["in_sample"] != nil && recorded["trials"] as? Int == 6,
            "\(recorded)")
        // A pair that traded has a Deflated Sharpe; at least one of these two did.
        let traded = pairs.filter { ((($0["backtest"] as? [String: Any])?["trades"] as? Int) ?? 0) > 2 }
        #expect(!traded.isEmpty)
        for pair in traded {
            #expect(pair["deflated_sharpe"] is Double, "\(pair["pair"] ?? "?") traded but has no Deflated Sharpe")
        }
        for source in ["oof", "z"] {
            let backtest = try CLI.run(["backtest", "--signals-from", source, "--fee-rate", "0.001"] + dir)
            #expect(backtest.status == 0, "\(backtest.stderr)")
            #expect(FileManager.default.fileExists(atPath: data + "/training/backtest_\(source).json"))
        }

        // Models: build two versions, list, show, roll the alias back, predict JSON and CSV.
        #expect(try CLI.run(["select", "--no-guardrails"] + dir).status == 0)
        let models = dir + ["--models-dir", data + "/models"]
        let first = try CLI.run(["router"] + models)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("router mntrading_router version 1: 2 members"))
        #expect(try CLI.run(["router"] + models).stdout.contains("version 2"))
        // Features recomputed with other windows: no version can be built from the old training run.
        #expect(try CLI.run(["features", "--beta-window", "150", "--z-window", "60"] + dir).status == 0)
        let mismatch = try CLI.run(["router"] + models)
        #expect(
            mismatch.status != 0 && mismatch.stderr.contains("features are now computed with β window 150"),
            "\(mismatch.stderr)")
        #expect(try CLI.run(["features", "--beta-window", "200", "--z-window", "60"] + dir).status == 0)
        #expect(
            try CLI.run(["models", "list"] + models).stdout.contains(
                "mntrading_router: versions 1, 2; aliases champion→2"))
        #expect(try CLI.run(["models", "alias", "mntrading_router", "champion", "1"] + models).status == 0)
        let show = try CLI.run(["models", "show", "models:/mntrading_router@champion"] + models)
        #expect(show.stdout.contains("mntrading_router version 1 (format 1)"))
        let example = data + "/models/mntrading_router/1/input_example.json"
        let predict = try CLI.run(
            ["models", "predict", "-m", "models:/mntrading_router@champion", "-i", example] + models)
        #expect(predict.status == 0, "\(predict.stderr)")
        let answer = try JSONSerialization.jsonObject(with: Data(predict.stdout.utf8)) as! [String: Any]
        let predictions = answer["predictions"] as! [[String: Any]]
        #expect(
            predictions.count == 2
                && predictions.allSatisfy { $0["model_version"] as? Int == 1 && $0["proba"] is Double })
        // The same rows as CSV give the same answer.
        let request =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: example))) as! [String: Any]
        let split = request["dataframe_split"] as! [String: Any]
        let csv =
            ([(split["columns"] as! [String]).joined(separator: ",")]
            + (split["data"] as! [[Any]]).map { row in row.map { "\($0)" }.joined(separator: ",") }).joined(
                separator: "\n")
        try csv.write(toFile: data + "/rows.csv", atomically: true, encoding: .utf8)
        let fromCSV = try CLI.run(
            [
                "models", "predict", "-m", "models:/mntrading_router/1", "-i", data + "/rows.csv", "--content-type",
                "csv",
                "-o", data + "/answer.json"
            ] + models)
        #expect(fromCSV.status == 0, "\(fromCSV.stderr)")
        let csvAnswer =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: data + "/answer.json")))
            as! [String: Any]
        let csvProbabilities = (csvAnswer["predictions"] as! [[String: Any]]).map { $0["proba"] as! Double }
        for (a, b) in zip(csvProbabilities, predictions.map { $0["proba"] as! Double }) { #expect(abs(a - b) < 1e-9) }
        // The server on an ephemeral port: it answers, then SIGTERM stops it cleanly (exit 0).
        let (server, url) = try CLI.startServer([
            "-m", "models:/mntrading_router@champion", "--models-dir", data + "/models", "-p", "0"
        ])
        defer {
            if server.isRunning {
                server.terminate()
                server.waitUntilExit()
            }
        }
        #expect(url.hasPrefix("http://127.0.0.1:"), "\(url)")
        let port = url.split(separator: ":").last.map(String.init) ?? ""
        let http = try HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: 2, totalTimeout: 10, retry: RetryPolicy(maxAttempts: 1)))
        let served = try http.post(
            "http://127.0.0.1:\(port)/invocations", body: [UInt8](try Data(contentsOf: URL(fileURLWithPath: example))),
            contentType: "application/json")
        #expect(served.status == 200)
        try InferenceChecks.cycleAgainstTheRealServer(url: "http://127.0.0.1:\(port)", data: data)
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)

        // As the container starts it: no flags, every setting from the environment.
        var environment = ProcessInfo.processInfo.environment
        environment["MLFLOW_HOST"] = "127.0.0.1"
        environment["MLFLOW_PORT"] = "0"
        environment["MNTRADING_MODELS_DIR"] = data + "/models"
        environment["MNTRADING_MODEL_URI"] = "models:/mntrading_router@champion"
        let (entry, entryURL) = try CLI.startServer([], environment: environment)
        defer {
            if entry.isRunning {
                entry.terminate()
                entry.waitUntilExit()
            }
        }
        #expect(entryURL.hasPrefix("http://127.0.0.1:"), "\(entryURL)")
        kill(entry.processIdentifier, SIGTERM)
        entry.waitUntilExit()
        #expect(entry.terminationStatus == 0)

        // Mistakes: an alias to a missing version, an unknown model, a path outside the models root.
        for (arguments, message) in [
            (["models", "alias", "mntrading_router", "champion", "9"], "version 9 of mntrading_router does not exist"),
            (["models", "show", "models:/nope@champion"], "model nope has no alias 'champion'"),
            (["models", "predict", "-m", "/etc", "-i", example], "must lie inside the models directory")
        ] {
            let result = try CLI.run(arguments + models)
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
    }

    @Test(arguments: [
        (["train", "--n-splits", "1"], "'--n-splits <n>': must be a whole number from 2 to 100"),
        (
            ["pipeline", "--train-days", "20"],
            "--train-days 20 gives 5760 5m bars: the feature windows take 17290, the 30-day holdout 8640"
        ),
        (["select", "--dsr-min", "2"], "'--dsr-min <p>': must be a number from 0 to 1"),
        (["train", "--proba-threshold", "2"], "'--proba-threshold <p>': must be a number from 0 to 1"),
        (["train", "--kinds", "svm"], "unknown model kind 'svm'"),
        // A library's check of the settings together, named by the flag that sets it.
        (
            ["train", "--max-train-size", "50", "--min-train-rows", "100"],
            "--max-train-size must be at least the fewest training rows, 100 (got 50)"
        ),
        (["train"], "no dataset in the store; run `mntrading dataset` first"),
        (["select"], "no complete training run in the store"),
        (["backtest"], "no complete training run in the store")
    ])
    func badInputIsAClearError(arguments: [String], message: String) throws {
        let data = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let result = try CLI.run(arguments + ["--data-dir", data])
        #expect(result.status == 64, "status \(result.status)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
