/// Where bars come from. Each command takes the ones that make sense for it: ingest the first three,
/// the pipeline synthetic and binance, the inference client synthetic, binance and none.
public enum BarSource: String, Sendable, CaseIterable, Codable {
    /// The embedded synthetic market: offline and deterministic.
    case synthetic
    /// Binance's public REST klines.
    case binance
    /// One CSV file for one symbol.
    case csv
    /// Whatever the store already holds (another process ingests).
    case none
}
