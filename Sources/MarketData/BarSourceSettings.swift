import Foundation
import HTTPClient

/// How a command gets its bars: the one settings type behind `mntrading ingest`, `mntrading pipeline`
/// and `mntrading-infer` (their flags are `BarSourceOptions`).
public struct BarSourceSettings: Sendable, Equatable {
    public var source = BarSource.synthetic
    public var seed: UInt64 = 42
    public var profile = SyntheticMarket.Profile.default
    public var binanceURL = BinanceClient.defaultBaseURL
    /// The file for `.csv`.
    public var csvPath: String?
    /// Limits of each exchange request.
    public var connectTimeout = 10.0
    public var readTimeout = 30.0
    public var attempts = 5

    public init(source: BarSource = .synthetic) {
        self.source = source
    }

    /// The synthetic market these settings name (nil for other sources).
    public var market: SyntheticMarket? {
        source == .synthetic ? SyntheticMarket(seed: seed, profile: profile) : nil
    }

    /// What the ingestor reads; nil for `.none`.
    public func ingestSource() throws -> IngestSource? {
        switch source {
        case .synthetic:
            return .synthetic(SyntheticMarket(seed: seed, profile: profile))
        case .binance:
            let http = try HTTPClient(
                configuration: HTTPClientConfiguration(
                    connectTimeout: connectTimeout, totalTimeout: readTimeout, retry: RetryPolicy(maxAttempts: attempts)
                ))
            return .binance(try BinanceClient(baseURL: binanceURL, http: http))
        case .csv:
            guard let csvPath else { throw MarketDataError.invalidArgument("--source csv needs --csv PATH") }
            return .csv(path: csvPath)
        case .none:
            return nil
        }
    }

    /// The identity of the data these settings give, for fingerprints (limits left out: they do
    /// not change the bars).
    public var identity: String {
        switch source {
        case .synthetic: "synthetic:\(seed):\(profile.rawValue)"
        case .binance: "binance:\(binanceURL)"
        case .csv: "csv:\(csvPath ?? "")"
        case .none: "none"
        }
    }

    /// Refuses a source the command does not take, naming the ones it does.
    public func require(_ allowed: [BarSource], command: String) throws {
        guard allowed.contains(source) else {
            throw MarketDataError.invalidArgument(
                "\(command) takes --source \(allowed.map(\.rawValue).joined(separator: ", ")) (got \(source.rawValue))")
        }
    }
}
