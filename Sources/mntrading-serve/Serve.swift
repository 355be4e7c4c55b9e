import ArgumentParser
import Foundation
import Logging
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
            """,
        version: "mntrading-serve \(ScoringService.version)"
    )

    @Option(name: [.short, .customLong("model-uri")], help: "models:/<name>@<alias>, models:/<name>/<version>, models:/<name>/latest or a version path (env MNTRADING_MODEL_URI).")
    var modelURI: String?

    @Option(name: .long, help: "Model store root for models:/ URIs (env MNTRADING_MODELS_DIR, default models).")
    var modelsDir: String?

    @Option(name: [.short, .long], help: "TCP port; 0 picks a free one (env MLFLOW_PORT, default 5001).")
    var port: Int?

    @Option(name: .long, help: "Address to bind (env MLFLOW_HOST, default 127.0.0.1).")
    var host: String?

    @Option(name: [.short, .long], help: "Seconds before a request is answered 504 (env MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT, default 60).")
    var timeout: Double?

    @Option(name: [.short, .long], help: "Scoring threads (env MLFLOW_MODELS_WORKERS, default 1).")
    var workers: Int?

    @Flag(inversion: .prefixedNo, help: "Score input_example.json before reporting ready (env MNTRADING_WARMUP=0 disables).")
    var warmup: Bool?

    @Option(name: .long, help: "Largest request body in bytes; larger gets 413 (env MNTRADING_MAX_BODY_BYTES, default 10485760).")
    var maxBodyBytes: Int?

    @Option(name: .long, help: "Seconds between checks of a models:/<name>@<alias> URI for a moved alias; 0 turns hot swap off (env MNTRADING_RELOAD_INTERVAL, default 5).")
    var reloadInterval: Double?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        func value(_ flag: String?, _ name: String) -> String? { flag ?? environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let uri = value(modelURI, "MNTRADING_MODEL_URI") else {
            throw ValidationError("a model is required: -m models:/<name>@<alias> (or MNTRADING_MODEL_URI)")
        }
        var configuration = ServerConfiguration(modelURI: uri, modelsDirectory: value(modelsDir, "MNTRADING_MODELS_DIR") ?? "models")
        configuration.host = value(host, "MLFLOW_HOST") ?? "127.0.0.1"
        guard let portValue = Int(value(port.map(String.init), "MLFLOW_PORT") ?? "5001"), (0...65535).contains(portValue) else {
            throw ValidationError("--port must be 0…65535")
        }
        configuration.port = portValue
        guard let timeoutValue = Double(value(timeout.map { String($0) }, "MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT") ?? "60"), timeoutValue > 0 else {
            throw ValidationError("--timeout must be a positive number of seconds")
        }
        configuration.timeout = timeoutValue
        guard let workerCount = Int(value(workers.map(String.init), "MLFLOW_MODELS_WORKERS") ?? "1"), workerCount >= 1 else {
            throw ValidationError("--workers must be at least 1")
        }
        configuration.workers = workerCount
        configuration.warmup = warmup ?? (environment["MNTRADING_WARMUP"].map { $0 != "0" && $0.lowercased() != "false" } ?? true)
        guard let bodyLimit = Int(value(maxBodyBytes.map(String.init), "MNTRADING_MAX_BODY_BYTES") ?? "10485760"), bodyLimit > 0 else {
            throw ValidationError("--max-body-bytes must be positive")
        }
        configuration.maxBodyBytes = bodyLimit
        guard let interval = Double(value(reloadInterval.map { String($0) }, "MNTRADING_RELOAD_INTERVAL") ?? "5"), interval >= 0 else {
            throw ValidationError("--reload-interval must not be negative")
        }
        configuration.reloadInterval = interval

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: environment["MNTRADING_LOG_LEVEL"] ?? "info") ?? .info
            return handler
        }
        let host = configuration.host
        try await ScoringService(configuration: configuration).run { port in
            // One line on stdout that scripts and tests wait for (it carries the port when -p 0).
            FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
        }
    }
}
