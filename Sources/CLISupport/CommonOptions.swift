import ArgumentParser
import Foundation
import Logging
import MarketData

/// `--data-dir` and `--models-dir`, on every command (DESIGN.md, command-line conventions).
public struct LocationOptions: ParsableArguments {
    public init() {}

    @Option(name: .long, help: ArgumentHelp("Directory for the store and data outputs (env MNTRADING_DATA_DIR).", valueName: "dir"))
    public var dataDir: String?

    @Option(name: .long, help: ArgumentHelp("Directory of the model store (env MNTRADING_MODELS_DIR).", valueName: "dir"))
    public var modelsDir: String?

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error (env MNTRADING_LOG_LEVEL).", valueName: "level"))
    public var logLevel: String?

    public var locations: Locations { Locations(dataDirectory: dataDir, modelsDirectory: modelsDir) }

    public func bootstrapLogging() {
        let text = logLevel ?? ProcessInfo.processInfo.environment["MNTRADING_LOG_LEVEL"] ?? "info"
        let level = Logger.Level(rawValue: text.lowercased()) ?? .info
        LoggingBootstrap.once(level: level)
    }
}

/// swift-log may be bootstrapped once per process.
public enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false
    // nonisolated(unsafe): commands run on the main thread only, before any other thread exists.

    public static func once(level: Logger.Level) {
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
public func parseTime(_ text: String, flag: String) throws -> Int64 {
    guard let time = UTCTime.parse(text) else {
        throw ValidationError("\(flag) '\(text)' is not a time: use ISO-8601 UTC (2024-01-31 or 2024-01-31T12:00:00Z) or epoch milliseconds")
    }
    return time
}
