import MarketData

/// Which rows an export takes: times are inclusive open times in epoch ms (`as_of` for orders).
public struct ExportFilter: Sendable, Equatable {
    /// Bars only; nil is every symbol stored at the timeframe.
    public var symbols: [String]?
    /// Every table but bars; nil is every pair.
    public var pairs: [String]?
    /// Bars (nil is 1h) and features (nil is every timeframe).
    public var timeframe: Timeframe?
    public var from: Int64
    public var to: Int64
    /// Datasets only; nil is the newest.
    public var datasetId: String?
    /// Predictions only; nil is the newest complete run.
    public var runId: String?

    public init(
        symbols: [String]? = nil, pairs: [String]? = nil, timeframe: Timeframe? = nil, from: Int64 = .min,
        to: Int64 = .max, datasetId: String? = nil, runId: String? = nil
    ) {
        self.symbols = symbols
        self.pairs = pairs
        self.timeframe = timeframe
        self.from = from
        self.to = to
        self.datasetId = datasetId
        self.runId = runId
    }

    /// The bars' timeframe when none is named: `mntrading export`'s default since its first release.
    public static let defaultBarTimeframe = Timeframe.h1
}
