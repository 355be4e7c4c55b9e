import Basics
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
    /// The directory of candle files for `.files` and `.archive`.
    public var directory: String?
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

    /// What the ingestor reads; nil for `.store`.
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
        case .files, .archive:
            guard let directory else {
                throw MarketDataError.invalidArgument("--source \(source.rawValue) needs --data-from DIR")
            }
            let formats: Set<CandleFormat> = source == .archive ? [.exchangeArchive] : Set(CandleFormat.allCases)
            return .files(try CandleDirectory(root: directory, formats: formats))
        case .store:
            return nil
        }
    }

    /// The identity of the data these settings give, for fingerprints (limits left out: they do
    /// not change the bars). A directory's is its files' names, sizes and modification times, so
    /// that a file added, replaced or grown is read again.
    public func identity() throws -> String {
        switch source {
        case .synthetic: return "synthetic:\(seed):\(profile.rawValue)"
        case .binance: return "binance:\(binanceURL)"
        case .csv: return "csv:\(csvPath ?? "")"
        case .files, .archive:
            guard case let .files(directory)? = try ingestSource() else { return source.rawValue }
            return "\(source.rawValue):\(directory.root):\(try Self.listingDigest(directory))"
        case .store: return "store"
        }
    }

    /// Refuses a source the command does not take, naming the ones it does.
    public func require(_ allowed: [BarSource], command: String) throws {
        guard allowed.contains(source) else {
            throw MarketDataError.invalidArgument(
                "\(command) takes --source \(allowed.map(\.rawValue).joined(separator: ", ")) (got \(source.rawValue))")
        }
    }

    /// Each file's path, size and modification time, hashed: what the directory holds now (the
    /// files it passes over too, a .CHECKSUM among them).
    static func listingDigest(_ directory: CandleDirectory) throws -> String {
        var hash = FNV1a()
        for file in (directory.files.map(\.path) + directory.ignored).sorted() {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            hash.add("\(file)\t\(size)\t\(modified)\n")
        }
        return hash.hex
    }
}
