import Foundation

/// The layouts of candle files read from a directory, detected per file (and reported).
public enum CandleFormat: String, Sendable, Codable, CaseIterable {
    /// Our own CSV: a header naming the columns (`BarCSV`).
    case csv
    /// The exchange's kline CSV: 12 columns, usually without a header, times in ms or µs.
    case exchangeCSV = "exchange-csv"
    /// The exchange's monthly or daily zip archives (data.binance.vision), one kline CSV each.
    case exchangeArchive = "exchange-archive"
    /// freqtrade's JSON candles: an array of `[ms, open, high, low, close, volume]`.
    case freqtradeJSON = "freqtrade-json"
}
