import ArgumentParser
import Basics
import Foundation
import MarketData

extension BarSource: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}
extension SyntheticMarket.Profile: ExpressibleByArgument {}

/// `--source`, `--seed`, `--profile` and `--binance-url`: the same flags, spelled once, on
/// `mntrading ingest`, `mntrading pipeline` and `mntrading-infer`.
public struct BarSourceOptions: ParsableArguments {
    public init() {}

    @Option(
        help:
            "Where bars come from: synthetic (embedded, offline, deterministic), binance (public REST), csv (ingest: one file), files (a directory of candle files: --data-from), archive (a directory of the exchange's zip archives: --data-from) or store (the bars already stored)."
    )
    public var source: BarSource = .synthetic

    @Option(
        help: ArgumentHelp(
            "Directory of candle files for --source files or archive: SYMBOL_5m.csv and the like (our CSV or the exchange's kline layout), the exchange's monthly and daily zip archives, freqtrade's JSON; searched recursively.",
            valueName: "dir"))
    var dataFrom: String?

    /// The issue that asked for archives spelled it `--dir`; the same setting, not shown twice.
    @Option(name: .customLong("dir"), help: .hidden)
    var dir: String?

    /// The candle directory, by either spelling.
    public var directory: String? { dataFrom ?? dir }

    @Option(
        help:
            "Seed of the synthetic market: the same seed gives the same market (the client's must match the one trained on)."
    )
    public var seed: UInt64 = 42

    @Option(help: "Synthetic market profile: default (planted cointegrated pairs) or independent (none).")
    public var profile: SyntheticMarket.Profile = .default

    public static let binanceURLVariable = EnvironmentVariable("MNTRADING_BINANCE_URL", "Binance REST base URL")
    @Option(
        help: ArgumentHelp(binanceURLVariable.help(default: BinanceClient.defaultBaseURL), valueName: "url"))
    public var binanceURL: String?

    /// The spelling `mntrading ingest` used to have; kept so that scripts keep working.
    @Option(name: .customLong("base-url"), help: .hidden)
    public var baseURL: String?

    public func validate() throws {
        let needsDirectory = source == .files || source == .archive
        if dataFrom != nil && dir != nil {
            throw ValidationError("--dir is another name of --data-from: give one of them")
        }
        if needsDirectory && directory == nil {
            throw ValidationError("--source \(source.rawValue) needs --data-from DIR")
        }
        if !needsDirectory && directory != nil {
            let given = dataFrom != nil ? "--data-from" : "--dir"
            throw ValidationError("\(given) is for --source files or archive (got --source \(source.rawValue))")
        }
        if binanceURL != nil && baseURL != nil {
            throw ValidationError("--base-url is the old name of --binance-url: give one of them")
        }
    }

    /// The settings these flags give, for a command that takes `allowed` sources.
    public func settings(
        allowed: [BarSource], command: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> BarSourceSettings {
        var settings = BarSourceSettings(source: source)
        settings.seed = seed
        settings.profile = profile
        settings.directory = directory
        settings.binanceURL =
            Self.binanceURLVariable.text(binanceURL ?? baseURL, in: environment) ?? BinanceClient.defaultBaseURL
        do {
            try settings.require(allowed, command: command)
        } catch let error as MarketDataError {
            throw ValidationError(error.description)
        }
        return settings
    }
}
