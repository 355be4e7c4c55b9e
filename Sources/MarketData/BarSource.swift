/// Where bars come from. Each command takes the ones that make sense for it: ingest synthetic,
/// binance, csv, files and archive; the pipeline synthetic, binance, files and store; the inference
/// client synthetic, binance and store.
public enum BarSource: String, Sendable, CaseIterable, Codable {
    /// The embedded synthetic market: offline and deterministic.
    case synthetic
    /// Binance's public REST klines.
    case binance
    /// One CSV file for one symbol.
    case csv
    /// A directory of candle files, one per symbol and timeframe (`CandleDirectory`): our CSV, the
    /// exchange's kline CSV and zip archives, freqtrade's JSON.
    case files
    /// A directory of the exchange's monthly and daily kline archives only.
    case archive
    /// Whatever the store already holds (another process ingests, or an earlier `ingest`).
    case store

    /// The sources whose newest bar is the clock's: the others end where their data ends.
    public var isLive: Bool { self == .synthetic || self == .binance }

    /// `none` was the name of `store` before the pipeline took it; scripts keep working.
    public init?(spelling: String) {
        self.init(rawValue: spelling == "none" ? "store" : spelling)
    }
}
