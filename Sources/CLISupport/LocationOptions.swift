import ArgumentParser
import Foundation
import Logging
import MarketData

/// `--data-dir` and `--models-dir`, on every command (DESIGN.md, command-line conventions).
public struct LocationOptions: ParsableArguments {
    public init() {}

    @Option(
        name: .long,
        help: ArgumentHelp("Directory for the store and data outputs (env MNTRADING_DATA_DIR).", valueName: "dir"))
    public var dataDir: String?

    @Option(
        name: .long, help: ArgumentHelp("Directory of the model store (env MNTRADING_MODELS_DIR).", valueName: "dir"))
    public var modelsDir: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Log level: trace, debug, info, notice, warning, error (env MNTRADING_LOG_LEVEL).", valueName: "level"))
    public var logLevel: String?

    public var locations: Locations { Locations(dataDirectory: dataDir, modelsDirectory: modelsDir) }

    public func bootstrapLogging() {
        LoggingBootstrap.lineBufferedOutput()
        let text = logLevel ?? ProcessInfo.processInfo.environment["MNTRADING_LOG_LEVEL"] ?? "info"
        let level = Logger.Level(rawValue: text.lowercased()) ?? .info
        LoggingBootstrap.once(level: level)
    }
}
