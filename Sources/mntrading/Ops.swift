import Basics
import ArgumentParser
import CLISupport
import Foundation
import Logging
import ModelFormat
import Operations
import Scoring

/// `mntrading ops`: the operations API and dashboard (a thin shell over `Operations`).
struct Ops: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract:
            "The operations API and web dashboard: run the pipeline or an inference cycle, follow its log, see pairs, training, models, signals, orders and the report; promote or roll back.",
        discussion: """
            Open http://127.0.0.1:8000 after starting it. Reads are open to whoever reaches the \
            server; starting tasks and moving aliases are allowed on 127.0.0.1, and beyond it only \
            with --allow-writes and a bearer token (env \(OpsConfiguration.tokenVariable)). One task runs at a \
            time, and never beside a command-line run of the same kind (the same lock files). The \
            API is described at /openapi.json.
            """)

    @OptionGroup var location: LocationOptions
    static let hostVariable = EnvironmentVariable("MNTRADING_OPS_HOST", "Address to listen on")
    @Option(help: ArgumentHelp(hostVariable.help(default: OpsConfiguration.defaultHost), valueName: "host"))
    var host: String?
    static let portVariable = EnvironmentVariable("MNTRADING_OPS_PORT", "Port; 0 = any free port")
    @Option(
        help: ArgumentHelp(portVariable.help(default: "\(OpsConfiguration.defaultPort)"), valueName: "port"),
        transform: NumberRule.port.parse) var port: Int?
    @Flag(
        help: ArgumentHelp(
            "Allow starting tasks and moving aliases on an address beyond 127.0.0.1 (needs \(OpsConfiguration.tokenVariable))."
        ))
    var allowWrites = false
    @Option(help: ArgumentHelp("The model the Models page acts on.", valueName: "name")) var modelName =
        ModelStore.defaultModelName
    @Option(help: ArgumentHelp(ServerURLOption.help, valueName: "url"))
    var server: String?
    @Option(
        help: ArgumentHelp(
            "Where inference cycles get the newest bars: synthetic, binance or none (the store as it is).",
            valueName: "source"))
    var cycleSource = "synthetic"

    /// What a dashboard pipeline task may set: `mntrading pipeline`'s own flags, less the test
    /// hooks (`--now`, `--timing`), the locations and the network ends (`--binance-url`,
    /// `--tracking-uri`), which only the one who starts the server chooses.
    static let pipelineSettings: Set<String> = [
        "source", "seed", "profile", "symbols", "screen_days", "train_days", "holdout_days", "top_k", "pvalue_max",
        "beta_window",
        "z_window", "label_type", "horizon", "lag_features", "n_splits", "min_train_rows", "max_rounds", "kinds",
        "threads", "fee_rate",
        "slippage_bps", "fill_delay", "sharpe_min", "min_trades", "dsr_min", "holdout_sharpe_min", "maxdd_max",
        "auc_min",
        "no_guardrails", "name", "force", "experiment", "log_level"
    ]
    /// What a dashboard cycle task may set: `mntrading-infer`'s flags for one cycle, less the
    /// test hooks (`--pause-at`, `--check-arguments`), the timer and replay, and the network ends.
    static let cycleSettings: Set<String> = [
        "seed", "profile", "min_proba", "top_k", "scheme", "equity", "leverage", "max_symbol_weight", "max_gross",
        "n_last",
        "timeout_connect", "timeout_read", "attempts", "warmup", "warmup_timeout", "max_drawdown",
        "max_portfolio_drawdown",
        "monitor_only", "log_level"
    ]

    func run() async throws {
        location.bootstrapLogging()
        let locations = location.locations
        var configuration = OpsConfiguration(locations: locations)
        configuration.host = Self.hostVariable.text(host) ?? OpsConfiguration.defaultHost
        configuration.port = try Self.portVariable.value(port, .port) ?? OpsConfiguration.defaultPort
        configuration.allowWrites = allowWrites
        configuration.token = OpsConfiguration.tokenVariable.text()
        configuration.modelName = modelName
        // The tasks are this program's and mntrading-infer's own commands, run beside it.
        let program = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let infer = program.deletingLastPathComponent().appendingPathComponent("mntrading-infer").path
        let directories = ["--data-dir", locations.dataDirectory, "--models-dir", locations.modelsDirectory]
        let serverURL = ServerURLOption.url(server)
        let kinds = [
            OpsTaskKind(
                name: "pipeline",
                summary: "every stage, skipping those whose inputs have not changed (mntrading pipeline)",
                executable: program.path, fixedArguments: ["pipeline"] + directories, lockFile: "pipeline.lock",
                settings: Self.pipelineSettings,
                validate: { arguments in
                    do { _ = try PipelineCommand.parse(Array(arguments.dropFirst())) } catch {
                        throw OpsError.badRequest(PipelineCommand.message(for: error))
                    }
                }),
            OpsTaskKind(
                name: "cycle", summary: "one inference cycle against \(serverURL) (mntrading-infer --once)",
                executable: infer,
                fixedArguments: ["--once", "--server", serverURL, "--source", cycleSource] + directories,
                lockFile: "infer.lock",
                settings: Self.cycleSettings,
                validate: { arguments in
                    let check = Process()
                    check.executableURL = URL(fileURLWithPath: infer)
                    check.arguments = arguments + ["--check-arguments"]
                    let errors = Pipe()
                    check.standardError = errors
                    check.standardOutput = FileHandle.nullDevice
                    do { try check.run() } catch {
                        throw OpsError.badRequest("cannot run \(infer): \(error.localizedDescription)")
                    }
                    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    check.waitUntilExit()
                    guard check.terminationStatus == 0 else {
                        let line =
                            message.split(separator: "\n").first.map(String.init)
                            ?? "mntrading-infer refused the settings"
                        throw OpsError.badRequest(line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line)
                    }
                })
        ]
        let store = try locations.openProjectStore()
        let service: OpsService
        do {
            service = try OpsService(
                configuration: configuration, store: store, kinds: kinds, verify: RouterModel.verifier)
        } catch let error as OpsError {
            throw ValidationError(error.description)
        }
        let host = configuration.host
        try await service.run { port in
            // One line a script can wait for, as mntrading-serve prints; unbuffered.
            FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
        }
    }
}
