import ArgumentParser
import Basics
import Foundation
import MarketData

extension BarSource: ExpressibleByArgument {}
extension SyntheticMarket.Profile: ExpressibleByArgument {}

/// `--source`, `--seed`, `--profile` and `--binance-url`: the same flags, spelled once, on
/// `mntrading ingest`, `mntrading pipeline` and `mntrading-infer`.
public struct BarSourceOptions: ParsableArguments {
    public init() {}

    @Option(
        help:
            "Where bars come from: synthetic (embedded, offline, deterministic), binance (public REST), csv (ingest: one file) or none (mntrading-infer: the store as it is)."
    )
    public var source: BarSource = .synthetic

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
