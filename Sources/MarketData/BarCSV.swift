import Foundation

/// CSV import and export of one symbol's bars.
///
/// Import: a header row naming the columns (any order, case-insensitive): a time column
/// (`open_time`, `timestamp`, `time`, `date` or `datetime`; epoch milliseconds, microseconds (above
/// 1e14) or ISO-8601 UTC) and `open`, `high`, `low`, `close`, `volume`; other columns are ignored.
/// The first bad row rejects the whole file with its line number and column. The parsing is
/// `CandleCSVParser`'s, which `CandleDirectory` reads with too.
public enum BarCSV {
    static let timeColumns = CandleCSVParser.timeColumns
    static let valueColumns = CandleCSVParser.valueColumns

    /// Also takes the exchange's kline layout (headerless, or with its header), whose `close_time`
    /// must close bars of `timeframe`. Rows come back in the file's order, repeats included: the
    /// ingest collapses and counts them.
    public static func read(path: String, timeframe: Timeframe) throws -> [Bar] {
        let bytes: [UInt8]
        do {
            bytes = try CandleBytes.read(path: path)
        } catch let MarketDataError.invalidData(message) {
            // "cannot read '<path>': <reason>" as the CSV it was meant to be.
            throw MarketDataError.invalidData(
                message.hasPrefix("cannot read '")
                    ? "cannot read CSV " + message.dropFirst("cannot read ".count) : message)
        }
        return try CandleCSVParser.parse(bytes, name: path, timeframe: timeframe).bars
    }

    public static func parse(_ text: String, name: String, timeframe: Timeframe) throws -> [Bar] {
        var bytes = Array(text.utf8)
        bytes.append(0)
        return try CandleCSVParser.parse(bytes, name: name, timeframe: timeframe).bars
    }

    /// `open_time` in epoch ms first (what import reads back exactly), a readable UTC time last.
    /// Doubles print in their shortest round-trip form, so export → import is lossless.
    public static func render(_ bars: [Bar]) -> String {
        var text = "open_time,open,high,low,close,volume,open_time_utc\n"
        text.reserveCapacity(bars.count * 96)
        for bar in bars {
            text +=
                "\(bar.openTime),\(bar.open),\(bar.high),\(bar.low),\(bar.close),\(bar.volume),\(UTCTime.format(bar.openTime))\n"
        }
        return text
    }
}
