import ArgumentParser
import Basics
import Foundation
import Logging
import MarketData

/// `--data-dir` and `--models-dir`, on every command (DESIGN.md, command-line conventions).
public struct LocationOptions: ParsableArguments {
    public init() {}

    @Option(
        name: .long,
        help: ArgumentHelp(Locations.dataDirectoryVariable.help(default: "data"), valueName: "dir"))
    public var dataDir: String?

    @Option(
        name: .long,
        help: ArgumentHelp(EnvironmentVariable.modelsDirectory.help(default: "models"), valueName: "dir"))
    public var modelsDir: String?

    @Option(
        name: .long,
        help: ArgumentHelp(EnvironmentVariable.logLevel.help(default: "info"), valueName: "level"))
    public var logLevel: String?

    public var locations: Locations { Locations(dataDirectory: dataDir, modelsDirectory: modelsDir) }

    /// The flag, else `MNTRADING_LOG_LEVEL`, else info; a level swift-log does not name is info.
    public static func level(_ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Logger.Level
    {
        Logger.Level(rawValue: (EnvironmentVariable.logLevel.text(flag, in: environment) ?? "info").lowercased())
            ?? .info
    }

    public func bootstrapLogging() {
        LoggingBootstrap.lineBufferedOutput()
        LoggingBootstrap.once(level: Self.level(logLevel))
    }
}
