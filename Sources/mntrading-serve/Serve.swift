import ArgumentParser
import Basics
import Foundation
import Logging
import MLflowClient
import ModelFormat
import Scoring
import ScoringServer

/// `mntrading-serve`: the scoring server. Flags follow `mlflow models serve`; each has an env var,
/// declared beside it (`EnvironmentVariable`), whose name its help text shows.
@main
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mntrading-serve",
        abstract: "Serve a router model over the MLflow scoring protocol (/ping, /health, /version, /invocations).",
        discussion: """
            Also GET /metadata (what a client needs to build requests) and GET /metrics (Prometheus). \
            Loads and warms every member before /ping answers 200. Binds 127.0.0.1 unless --host says \
            otherwise. Every flag can come from the environment variable shown; a flag given wins, and \
            an empty variable is unset. A yes/no variable takes \(EnvironmentVariable.booleanSpellings); \
            any other value is refused (exit 64). \(EnvironmentVariable.logLevel.help(default: "info"))
            Example: mntrading-serve -m \(ModelStore.defaultModelURI) -p 5001

            From an MLflow model registry: with --tracking-uri, a models:/<name>@<alias> URI is resolved \
            in the registry; the version's files are copied into <models-dir>/.mlflow-registry/, checked \
            like a local version, then served, and the registry alias is followed every \
            --reload-interval. A version that cannot be copied or fails the check, or a registry that \
            cannot be reached, leaves the current version serving (at start: the cached copy, if any).
            Example: mntrading-serve -m \(ModelStore.defaultModelURI) --tracking-uri http://127.0.0.1:5000
            """,
        version: "mntrading-serve \(ScoringService.version)"
    )

    static let modelURIVariable = EnvironmentVariable(
        "MNTRADING_MODEL_URI",
        "models:/<name>@<alias>, models:/<name>/<version>, models:/<name>/latest or a version path")
    @Option(name: [.short, .customLong("model-uri")], help: ArgumentHelp(modelURIVariable.help()))
    var modelURI: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            EnvironmentVariable.modelsDirectory.help("Model store root for models:/ URIs", default: "models")))
    var modelsDir: String?

    static let portVariable = EnvironmentVariable("MLFLOW_PORT", "TCP port; 0 picks a free one")
    @Option(
        name: [.short, .long], help: ArgumentHelp(portVariable.help(default: "5001")), transform: Rules.port.parse)
    var port: Int?

    static let hostVariable = EnvironmentVariable("MLFLOW_HOST", "Address to bind")
    @Option(name: .long, help: ArgumentHelp(hostVariable.help(default: "127.0.0.1")))
    var host: String?

    static let timeoutVariable = EnvironmentVariable(
        "MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT", "Seconds before a request is answered 504")
    @Option(
        name: [.short, .long], help: ArgumentHelp(timeoutVariable.help(default: "60")), transform: Rules.timeout.parse
    )
    var timeout: Double?

    static let workersVariable = EnvironmentVariable("MLFLOW_MODELS_WORKERS", "Scoring threads")
    @Option(
        name: [.short, .long], help: ArgumentHelp(workersVariable.help(default: "1")), transform: Rules.threads.parse)
    var workers: Int?

    static let eventLoopsVariable = EnvironmentVariable(
        "MNTRADING_EVENT_LOOPS",
        "Event-loop threads: they hold the connections and answer /ping and small requests themselves")
    @Option(
        name: .long,
        help: ArgumentHelp(
            eventLoopsVariable.help(
                default: "one per core",
                note: "With the clients on the same machine, fewer loops than cores leave them a core.")),
        transform: Rules.threads.parse)
    var eventLoops: Int?

    static let warmupVariable = EnvironmentVariable(
        "MNTRADING_WARMUP", "Score input_example.json before reporting ready")
    @Flag(inversion: .prefixedNo, help: ArgumentHelp(warmupVariable.help(default: "on")))
    var warmup: Bool?

    static let maxBodyBytesVariable = EnvironmentVariable(
        "MNTRADING_MAX_BODY_BYTES", "Largest request body in bytes; larger gets 413")
    @Option(
        name: .long, help: ArgumentHelp(maxBodyBytesVariable.help(default: "10485760")),
        transform: Rules.bodyBytes.parse)
    var maxBodyBytes: Int?

    static let reloadIntervalVariable = EnvironmentVariable(
        "MNTRADING_RELOAD_INTERVAL",
        "Seconds between checks of a models:/<name>@<alias> URI for a moved alias; 0 turns hot swap off")
    @Option(
        name: .long, help: ArgumentHelp(reloadIntervalVariable.help(default: "5")), transform: Rules.interval.parse)
    var reloadInterval: Double?

    static let idleTimeoutVariable = EnvironmentVariable(
        "MNTRADING_IDLE_TIMEOUT", "Seconds a connection may stay open between requests")
    @Option(
        name: .long, help: ArgumentHelp(idleTimeoutVariable.help(default: "30")), transform: Rules.timeout.parse)
    var idleTimeout: Double?

    static let headerTimeoutVariable = EnvironmentVariable(
        "MNTRADING_HEADER_TIMEOUT", "Seconds a request's head has to arrive whole, from its first byte")
    @Option(
        name: .long,
        help: ArgumentHelp(headerTimeoutVariable.help(default: "10", note: "The body is covered by --timeout.")),
        transform: Rules.timeout.parse)
    var headerTimeout: Double?

    static let maxConnectionsVariable = EnvironmentVariable(
        "MNTRADING_MAX_CONNECTIONS", "Connections open at once; more wait in the kernel's backlog")
    @Option(
        name: .long,
        help: ArgumentHelp(
            maxConnectionsVariable.help(
                default: "4096", note: "The open-file limit is raised to fit when the hard limit allows.")),
        transform: Rules.connections.parse)
    var maxConnections: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            EnvironmentVariable.trackingURI.help(
                "MLflow tracking server whose model registry resolves models:/<name>@<alias>",
                note: "Credentials from \(EnvironmentVariable.trackingCredentials). Unset: the local model store."),
            valueName: "url"))
    var trackingUri: String?

    static let maxModelBytesVariable = EnvironmentVariable(
        "MNTRADING_MAX_MODEL_BYTES",
        "With --tracking-uri: the most one registry version may download, its files together; a larger version, or one holding files its MLmodel and router.json do not list, is refused and the current one keeps serving"
    )
    @Option(
        name: .long, help: ArgumentHelp(maxModelBytesVariable.help(default: "1073741824")),
        transform: Rules.modelBytes.parse)
    var maxModelBytes: Int?

    static let exitOnLoadFailureVariable = EnvironmentVariable(
        "MNTRADING_EXIT_ON_LOAD_FAILURE", "Exit with an error when the model cannot be loaded at start")
    @Flag(
        help: ArgumentHelp(
            exitOnLoadFailureVariable.help(
                default: "off",
                note:
                    "By default the server starts, answers 503 on /ping and retries every --reload-interval, so that a restart policy cannot turn one bad version into a crash loop."
            )))
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

    /// Each flag, else its variable, else the default: the server's configuration and the most a
    /// registry version may download. A variable's bad value is a usage error (64) naming it.
    func settings() throws -> (configuration: ServerConfiguration, maxModelBytes: Int) {
        do {
            guard let uri = Self.modelURIVariable.text(modelURI) else {
                throw ValidationError("a model is required: -m models:/<name>@<alias> (or \(Self.modelURIVariable))")
            }
            var configuration = ServerConfiguration(
                modelURI: uri, modelsDirectory: EnvironmentVariable.modelsDirectory.text(modelsDir) ?? "models")
            if let value = Self.hostVariable.text(host) { configuration.host = value }
            if let value = try Self.portVariable.value(port, Rules.port) { configuration.port = value }
            if let value = try Self.timeoutVariable.value(timeout, Rules.timeout) { configuration.timeout = value }
            if let value = try Self.workersVariable.value(workers, Rules.threads) { configuration.workers = value }
            if let value = try Self.eventLoopsVariable.value(eventLoops, Rules.threads) {
                configuration.eventLoops = value
            }
            if let value = try Self.warmupVariable.bool(warmup) { configuration.warmup = value }
            if let value = try Self.maxBodyBytesVariable.value(maxBodyBytes, Rules.bodyBytes) {
                configuration.maxBodyBytes = value
            }
            if let value = try Self.reloadIntervalVariable.value(reloadInterval, Rules.interval) {
                configuration.reloadInterval = value
            }
            if let value = try Self.idleTimeoutVariable.value(idleTimeout, Rules.timeout) {
                configuration.idleTimeout = value
            }
            if let value = try Self.headerTimeoutVariable.value(headerTimeout, Rules.timeout) {
                configuration.headerTimeout = value
            }
            if let value = try Self.maxConnectionsVariable.value(maxConnections, Rules.connections) {
                configuration.maxConnections = value
            }
            // The flag can only turn it on; without it the variable decides.
            if let value = try Self.exitOnLoadFailureVariable.bool(exitOnLoadFailure ? true : nil) {
                configuration.exitOnLoadFailure = value
            }
            let modelBytes =
                try Self.maxModelBytesVariable.value(maxModelBytes, Rules.modelBytes)
                ?? RegistryMirror.defaultMaxVersionBytes
            return (configuration, modelBytes)
        } catch let error as EnvironmentVariableError {
            // This program ends through ArgumentParser, for which a usage error is a ValidationError.
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let resolved = try settings()
        var configuration = resolved.configuration
        let uri = configuration.modelURI
        if checkArguments { return }

        // Each connection is a descriptor: make room for the cap (and a margin for the model's files).
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0,
            limit.rlim_cur < rlim_t(configuration.maxConnections + 64)
        {
            limit.rlim_cur = min(limit.rlim_max, rlim_t(configuration.maxConnections + 64))
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }

        // The variable only (no flag); a level swift-log does not name is info, as --log-level's.
        let level =
            Logger.Level(rawValue: (EnvironmentVariable.logLevel.text() ?? "info").lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        if let tracking = EnvironmentVariable.trackingURI.text(trackingUri), !tracking.isEmpty,
            let reference = RegistryMirror.aliasReference(uri)
        {
            configuration.modelsDirectory = try followRegistry(
                tracking, reference, configuration: configuration, maxBytes: resolved.maxModelBytes)
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
