import Foundation

/// One candle file of a directory: what its name says it holds and the layout its bytes have.
public struct CandleFile: Sendable, Equatable {
    public var path: String
    public var symbol: String
    public var timeframe: Timeframe
    public var format: CandleFormat

    public init(path: String, symbol: String, timeframe: Timeframe, format: CandleFormat) {
        self.path = path
        self.symbol = symbol
        self.timeframe = timeframe
        self.format = format
    }
}

extension CandleFile {
    /// What a file's name says, before its bytes are read.
    enum Naming: Equatable {
        /// A candle file of this symbol and timeframe; `format` is settled by its first bytes for CSV.
        case candles(symbol: String, timeframe: Timeframe, format: CandleFormat)
        /// Clearly not candles (a README, a checksum, notes): skipped and counted.
        case ignored
        /// Meant as candles but not readable as named: why, and what to do (the caller names the file).
        case refused(String)
    }

    static let csvRule =
        "name CSV files SYMBOL_TIMEFRAME.csv or SYMBOL-TIMEFRAME.csv (e.g. BTCUSDT_5m.csv), optionally followed by the exchange's -YYYY-MM or -YYYY-MM-DD"
    static let archiveRule =
        "the exchange's archives are named SYMBOL-TIMEFRAME-YYYY-MM.zip or SYMBOL-TIMEFRAME-YYYY-MM-DD.zip (e.g. BTCUSDT-5m-2024-01.zip)"
    static let freqtradeRule =
        "freqtrade's spot candles are named BASE_QUOTE-TIMEFRAME.json (e.g. BTC_USDT-5m.json)"
    static let timeframeRule = "timeframes: \(Timeframe.allCases.map(\.rawValue).joined(separator: ", "))"

    /// The naming rules, by file name alone (`name` is the last path component).
    static func naming(_ name: String) -> Naming {
        let lower = name.lowercased()
        if name.hasPrefix(".") || lower.hasPrefix("readme") || lower.hasPrefix("license")
            || lower.hasSuffix(".checksum")
            || [".md", ".txt", ".log", ".sha256"].contains(where: lower.hasSuffix)
        {
            return .ignored
        }
        if lower.hasSuffix(".feather") || lower.hasSuffix(".parquet") || lower.hasSuffix(".json.gz")
            || lower.hasSuffix(".jsongz")
        {
            let from =
                lower.hasSuffix(".feather") ? "feather" : lower.hasSuffix(".parquet") ? "parquet" : "jsongz"
            return .refused(
                "freqtrade's \(from) candles are not read; convert them to JSON first with `freqtrade convert-data --format-from \(from) --format-to json --datadir DIR` (add --erase to drop the \(from) files)"
            )
        }
        if lower.hasSuffix(".csv") {
            return exchangeStyle(name, stem: String(name.dropLast(4)), format: .csv, rule: csvRule, dated: true)
        }
        if lower.hasSuffix(".zip") {
            let stem = String(name.dropLast(4))
            guard stem.split(separator: "-", omittingEmptySubsequences: false).count >= 4 else {
                return .refused("\(archiveRule)")
            }
            return exchangeStyle(name, stem: stem, format: .exchangeArchive, rule: archiveRule, dated: true)
        }
        if lower.hasSuffix(".json") { return freqtrade(name, stem: String(name.dropLast(5))) }
        return .refused(
            "not a candle file this reader knows (.csv, the exchange's .zip archives, freqtrade's .json); \(csvRule); remove it or move it out of the directory"
        )
    }

    /// `BTCUSDT_5m`, `BTCUSDT-5m`, `BTCUSDT-5m-2024-01`, `BTCUSDT-5m-2024-01-15`.
    private static func exchangeStyle(
        _ name: String, stem: String, format: CandleFormat, rule: String, dated: Bool
    ) -> Naming {
        let parts = stem.split(omittingEmptySubsequences: false) { $0 == "-" || $0 == "_" }.map(String.init)
        guard parts.count >= 2, let symbol = try? Symbols.normalise(parts[0]) else {
            return .refused("the name gives no symbol and timeframe; \(rule)")
        }
        guard let timeframe = Timeframe(rawValue: parts[1]) else {
            return .refused("'\(parts[1])' is not a timeframe (\(timeframeRule)); \(rule)")
        }
        let date = parts.dropFirst(2)
        let lengths = date.map(\.count)
        guard
            date.isEmpty
                || ((lengths == [4, 2] || lengths == [4, 2, 2]) && date.allSatisfy { $0.allSatisfy(\.isNumber) })
        else {
            return .refused("'\(date.joined(separator: "-"))' after the timeframe is not a date; \(rule)")
        }
        return .candles(symbol: symbol, timeframe: timeframe, format: format)
    }

    /// freqtrade names a pair BASE/QUOTE as `BASE_QUOTE`; futures add the settle currency and a
    /// candle type (`BTC_USDT_USDT-5m-futures`). Futures are refused, not mapped: their prices are
    /// not the spot market's this system trades, and mapped onto the spot symbol they would
    /// conflict with or silently stand in for its bars.
    private static func freqtrade(_ name: String, stem: String) -> Naming {
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let pair = parts.first?.split(separator: "_", omittingEmptySubsequences: false).map(String.init) ?? []
        if parts.count >= 3 || pair.count >= 3 {
            let kind = parts.count >= 3 ? parts[2...].joined(separator: "-") : "futures"
            guard kind == "spot", pair.count == 2 else {
                return .refused(
                    "freqtrade's \(kind) candles are not read, only spot ones (BASE_QUOTE-TIMEFRAME.json); point the directory at freqtrade's spot data (e.g. user_data/data/binance, not its futures/ folder)"
                )
            }
        }
        guard parts.count >= 2, pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty,
            let symbol = try? Symbols.normalise(pair[0] + pair[1])
        else {
            return .refused("the name gives no pair and timeframe; \(freqtradeRule)")
        }
        guard let timeframe = Timeframe(rawValue: parts[1]) else {
            return .refused("'\(parts[1])' is not a timeframe (\(timeframeRule)); \(freqtradeRule)")
        }
        return .candles(symbol: symbol, timeframe: timeframe, format: .freqtradeJSON)
    }
}
