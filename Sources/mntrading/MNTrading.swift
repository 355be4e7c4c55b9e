import ArgumentParser
import Foundation
import HTTPClient
import Logging
import MarketData
import Training

@main
struct MNTrading: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "mntrading",
        abstract: "Market-neutral pairs trading for crypto: the batch side (data, research, training, models).",
        discussion: """
            Stages run one by one; each reads and writes under --data-dir (default ./data, env \
            MNTRADING_DATA_DIR) and --models-dir (default ./models, env MNTRADING_MODELS_DIR).

            Start offline with the embedded synthetic market:
              mntrading ingest --source synthetic --timeframe 1h --since 2024-06-01
              mntrading screen
              mntrading ingest --source synthetic --timeframe 5m --since 2024-09-01
              mntrading features
              mntrading dataset
              mntrading train
              mntrading select
              mntrading router          # then: mntrading-serve -m models:/mntrading_router@champion
            """,
        version: "mntrading \(version) (xgboost \(XGBoostLibrary.version), \(HTTPClient.curlVersion), sqlite \(MarketStore.sqliteVersion))",
        subcommands: [Ingest.self, Export.self, Check.self, Screen.self, Features.self, Dataset.self, Train.self, BacktestCommand.self, Select.self, RouterCommand.self, Models.self, StatTest.self, SyntheticTruth.self, BenchFeatures.self, BenchScoring.self, ExportMembers.self]
    )
}

/// `--data-dir` and `--models-dir`, on every command (DESIGN.md, command-line conventions).
struct LocationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory for the store and data outputs (env MNTRADING_DATA_DIR).", valueName: "dir"))
    var dataDir: String?

    @Option(name: .long, help: ArgumentHelp("Directory of the model store (env MNTRADING_MODELS_DIR).", valueName: "dir"))
    var modelsDir: String?

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error (env MNTRADING_LOG_LEVEL).", valueName: "level"))
    var logLevel: String?

    var locations: Locations { Locations(dataDirectory: dataDir, modelsDirectory: modelsDir) }

    func bootstrapLogging() {
        let text = logLevel ?? ProcessInfo.processInfo.environment["MNTRADING_LOG_LEVEL"] ?? "info"
        let level = Logger.Level(rawValue: text.lowercased()) ?? .info
        LoggingBootstrap.once(level: level)
    }
}

/// swift-log may be bootstrapped once per process.
enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false
    // nonisolated(unsafe): commands run on the main thread only, before any other thread exists.

    static func once(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// Parses a `--since`/`--until` value.
func parseTime(_ text: String, flag: String) throws -> Int64 {
    guard let time = UTCTime.parse(text) else {
        throw ValidationError("\(flag) '\(text)' is not a time: use ISO-8601 UTC (2024-01-31 or 2024-01-31T12:00:00Z) or epoch milliseconds")
    }
    return time
}
