import ArgumentParser
import Basics
import Foundation
import Logging
import MLflowClient
import ModelFormat
import Scoring
import ScoringServer

/// `mntrading-serve`: the scoring server. Flags follow `mlflow models serve`; each has an env var.
@main
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mntrading-serve",
        abstract: "Serve a router model over the MLflow scoring protocol (/ping, /health, /version, /invocations).",
        discussion: """
            Also GET /metadata (what a client needs to build requests) and GET /metrics (Prometheus). \
            Loads and warms every member before /ping answers 200. Binds 127.0.0.1 unless --host says \
            otherwise. Every flag can come from the environment variable shown.
            Example: mntrading-serve -m models:/mntrading_router@champion -p 5001

            From an MLflow model registry: with --tracking-uri, a models:/<name>@<alias> URI is resolved \
            in the registry; the version's files are copied into <models-dir>/.mlflow-registry/, checked \
            like a local version, then served, and the registry alias is followed every \
            --reload-interval. A version that cannot be copied or fails the check, or a registry that \
            cannot be reached, leaves the current version serving (at start: the cached copy, if any).
            Example: mntrading-serve -m models:/mntrading_router@champion --tracking-uri http://127.0.0.1:5000
            """,
        version: "mntrading-serve \(ScoringService.version)"
    )

    @Option(
        name: [.short, .customLong("model-uri")],
        help:
            "models:/<name>@<alias>, models:/<name>/<version>, models:/<name>/latest or a version path (env MNTRADING_MODEL_URI)."
    )
    var modelURI: String?

    @Option(name: .long, help: "Model store root for models:/ URIs (env MNTRADING_MODELS_DIR, default models).")
    var modelsDir: String?

    @Option(
        name: [.short, .long], help: "TCP port; 0 picks a free one (env MLFLOW_PORT, default 5001).",
        transform: Rules.port.parse)
    var port: Int?

    @Option(name: .long, help: "Address to bind (env MLFLOW_HOST, default 127.0.0.1).")
    var host: String?

    @Option(
        name: [.short, .long],
        help: "Seconds before a request is answered 504 (env MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT, default 60).",
        transform: Rules.timeout.parse)
    var timeout: Double?

    @Option(
        name: [.short, .long], help: "Scoring threads (env MLFLOW_MODELS_WORKERS, default 1).",
        transform: Rules.threads.parse)
    var workers: Int?

    @Option(
        name: .long,
        help:
            "Event-loop threads: they hold the connections and answer /ping and small requests themselves (env MNTRADING_EVENT_LOOPS, default one per core). With the clients on the same machine, fewer loops than cores leave them a core.",
        transform: Rules.threads.parse)
    var eventLoops: Int?

    @Flag(
        inversion: .prefixedNo,
        help: "Score input_example.json before reporting ready (env MNTRADING_WARMUP=0 disables).")
    var warmup: Bool?

    @Option(
        name: .long,
        help: "Largest request body in bytes; larger gets 413 (env MNTRADING_MAX_BODY_BYTES, default 10485760).",
        transform: Rules.bodyBytes.parse)
    var maxBodyBytes: Int?

    @Option(
        name: .long,
        help:
            "Seconds between checks of a models:/<name>@<alias> URI for a moved alias; 0 turns hot swap off (env MNTRADING_RELOAD_INTERVAL, default 5).",
        transform: Rules.interval.parse)
    var reloadInterval: Double?

    @Option(
        name: .long,
        help: "Seconds a connection may stay open between requests (env MNTRADING_IDLE_TIMEOUT, default 30).",
        transform: Rules.timeout.parse)
    var idleTimeout: Double?

    @Option(
        name: .long,
        help:
            "Seconds a request's head has to arrive whole, from its first byte (env MNTRADING_HEADER_TIMEOUT, default 10). The body is covered by --timeout.",
        transform: Rules.timeout.parse)
    var headerTimeout: Double?

    @Option(
        name: .long,
        help:
            "Connections open at once; more wait in the kernel's backlog (env MNTRADING_MAX_CONNECTIONS, default 4096; the open-file limit is raised to fit when the hard limit allows).",
        transform: Rules.connections.parse)
    var maxConnections: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "MLflow tracking server whose model registry resolves models:/<name>@<alias> (env MLFLOW_TRACKING_URI; credentials from MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD). Unset: the local model store.",
            valueName: "url"))
    var trackingUri: String?

    @Option(
        name: .long,
        help:
            "With --tracking-uri: the most one registry version may download, its files together; a larger version, or one holding files its MLmodel and router.json do not list, is refused and the current one keeps serving (env MNTRADING_MAX_MODEL_BYTES, default 1073741824).",
        transform: Rules.modelBytes.parse)
    var maxModelBytes: Int?

    @Flag(
        help:
            "Exit with an error when the model cannot be loaded at start (env MNTRADING_EXIT_ON_LOAD_FAILURE=1). By default the server starts, answers 503 on /ping and retries every --reload-interval, so that a restart policy cannot turn one bad version into a crash loop."
    )
    var exitOnLoadFailure = false

    /// Checks the flags and the environment, then exits: as the other programs' `--check-arguments`.
    @Flag(help: .hidden) var checkArguments = false

    /// One rule per setting, for its flag and its environment variable alike. The bounds keep
    /// every value representable where it lands (nanoseconds in a UInt64, threads NIO can start).
    enum Rules {
        static let port = NumberRule<Int>.port
        static let timeout = NumberRule<Double>.seconds
        static let interval = NumberRule<Double>.number(0...86_400, unit: "seconds; 0 = off")
        static let threads = NumberRule<Int>.whole(1...256)
        static let bodyBytes = NumberRule<Int>.whole(1...(1 << 31), unit: "bytes")
        static let connections = NumberRule<Int>.whole(1...1_000_000)
        static let modelBytes = NumberRule<Int>.whole((1 << 20)...(1 << 36), unit: "bytes")
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        /// The flag, else the environment variable (empty counts as unset), both held to `rule`;
        /// nil leaves the default.
        func setting<Value>(_ flag: Value?, _ name: String, _ rule: NumberRule<Value>) throws -> Value? {
            if let flag { return flag }
            guard let text = environment[name], !text.isEmpty else { return nil }
            do { return try rule.parse(text) } catch { throw ValidationError("\(name)='\(text)': \(error)") }
        }
        func text(_ flag: String?, _ name: String) -> String? {
            flag ?? environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let uri = text(modelURI, "MNTRADING_MODEL_URI") else {
            throw ValidationError("a model is required: -m models:/<name>@<alias> (or MNTRADING_MODEL_URI)")
        }
        var configuration = ServerConfiguration(
            modelURI: uri, modelsDirectory: text(modelsDir, "MNTRADING_MODELS_DIR") ?? "models")
        if let value = text(host, "MLFLOW_HOST") { configuration.host = value }
        if let value = try setting(port, "MLFLOW_PORT", Rules.port) { configuration.port = value }
        if let value = try setting(timeout, "MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT", Rules.timeout) {
            configuration.timeout = value
        }
        if let value = try setting(workers, "MLFLOW_MODELS_WORKERS", Rules.threads) { configuration.workers = value }
        if let value = try setting(eventLoops, "MNTRADING_EVENT_LOOPS", Rules.threads) {
            configuration.eventLoops = value
        }
        if let value = warmup ?? environment["MNTRADING_WARMUP"].map({ $0 != "0" && $0.lowercased() != "false" }) {
            configuration.warmup = value
        }
        if let value = try setting(maxBodyBytes, "MNTRADING_MAX_BODY_BYTES", Rules.bodyBytes) {
            configuration.maxBodyBytes = value
        }
        if let value = try setting(reloadInterval, "MNTRADING_RELOAD_INTERVAL", Rules.interval) {
            configuration.reloadInterval = value
        }
        if let value = try setting(idleTimeout, "MNTRADING_IDLE_TIMEOUT", Rules.timeout) {
            configuration.idleTimeout = value
        }
        if let value = try setting(headerTimeout, "MNTRADING_HEADER_TIMEOUT", Rules.timeout) {
            configuration.headerTimeout = value
        }
        if let value = try setting(maxConnections, "MNTRADING_MAX_CONNECTIONS", Rules.connections) {
            configuration.maxConnections = value
        }
        configuration.exitOnLoadFailure =
            exitOnLoadFailure
            || ["1", "true", "yes"].contains((environment["MNTRADING_EXIT_ON_LOAD_FAILURE"] ?? "").lowercased())
        let modelBytes =
            try setting(maxModelBytes, "MNTRADING_MAX_MODEL_BYTES", Rules.modelBytes)
            ?? RegistryMirror.defaultMaxVersionBytes
        if checkArguments { return }

        // Each connection is a descriptor: make room for the cap (and a margin for the model's files).
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0,
            limit.rlim_cur < rlim_t(configuration.maxConnections + 64)
        {
            limit.rlim_cur = min(limit.rlim_max, rlim_t(configuration.maxConnections + 64))
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel =
                Logger.Level(rawValue: (environment["MNTRADING_LOG_LEVEL"] ?? "info").lowercased()) ?? .info
            return handler
        }
        if let tracking = trackingUri ?? environment["MLFLOW_TRACKING_URI"].flatMap({ $0.isEmpty ? nil : $0 }),
            let reference = RegistryMirror.aliasReference(uri)
        {
            configuration.modelsDirectory = try followRegistry(
                tracking, reference, configuration: configuration, maxBytes: modelBytes)
        }
        let host = configuration.host
        try await ScoringService(configuration: configuration).run { port in
            // One line on stdout that scripts and tests wait for (it carries the port when -p 0).
            FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
        }
    }

    /// Copies the alias's version from the registry (or keeps the cached copy when the registry
    /// cannot be reached) and follows the alias; answers the model store the server then reads.
    func followRegistry(
        _ tracking: String, _ reference: (name: String, alias: String), configuration: ServerConfiguration,
        maxBytes: Int
    ) throws -> String {
        let logger = Logger(label: "mntrading.serve.registry")
        let client: MLflowClient
        do {
            client = try MLflowClient(trackingURI: tracking)
        } catch {
            throw ValidationError("--tracking-uri: \(error)")
        }
        var mirror = RegistryMirror(
            client: client, modelsDirectory: configuration.modelsDirectory, verify: RouterModel.verifier)
        mirror.maxVersionBytes = maxBytes
        do {
            let (version, moved) = try mirror.refresh(name: reference.name, alias: reference.alias)
            logger.notice(
                "registry \(tracking): \(reference.name)@\(reference.alias) is version \(version)\(moved ? ", copied and verified" : " (cached copy)")"
            )
        } catch {
            logger.error(
                "registry \(tracking): \(reference.name)@\(reference.alias) cannot be resolved: \(error); serving the cached copy if there is one"
            )
        }
        if configuration.reloadInterval > 0 {
            mirror.follow(
                name: reference.name, alias: reference.alias, every: configuration.reloadInterval, logger: logger)
        }
        return mirror.cache.root
    }
}
