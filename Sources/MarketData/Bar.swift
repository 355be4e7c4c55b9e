import Foundation

/// A bar's length. Raw values are the exchange's interval names (Binance spellings).
public enum Timeframe: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case m1 = "1m", m3 = "3m", m5 = "5m", m15 = "15m", m30 = "30m"
    case h1 = "1h", h2 = "2h", h4 = "4h", h6 = "6h", h8 = "8h", h12 = "12h"
    case d1 = "1d"

    /// Length in milliseconds. Every supported timeframe has a fixed length, so bar open times are
    /// multiples of it since the Unix epoch (weekly and monthly bars are not supported for that reason).
    public var milliseconds: Int64 {
        switch self {
        case .m1: 60_000
        case .m3: 180_000
        case .m5: 300_000
        case .m15: 900_000
        case .m30: 1_800_000
        case .h1: 3_600_000
        case .h2: 7_200_000
        case .h4: 14_400_000
        case .h6: 21_600_000
        case .h8: 28_800_000
        case .h12: 43_200_000
        case .d1: 86_400_000
        }
    }

    public var description: String { rawValue }

    /// Bars per year, for annualising per-bar statistics.
    public var barsPerYear: Double { 365.0 * 86_400_000.0 / Double(milliseconds) }

    public static func parse(_ text: String) throws -> Timeframe {
        guard let timeframe = Timeframe(rawValue: text.trimmingCharacters(in: .whitespaces)) else {
            throw MarketDataError.invalidArgument("unknown timeframe '\(text)'; use one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return timeframe
    }

    /// The open time of the bar containing `time`.
    public func floor(_ time: Int64) -> Int64 {
        let remainder = time % milliseconds
        return remainder >= 0 ? time - remainder : time - remainder - milliseconds
    }
}

/// One OHLCV bar. `openTime` is the bar's open, in milliseconds since the Unix epoch, UTC.
public struct Bar: Sendable, Equatable, Codable {
    public var openTime: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double
    /// True for a bar made up by `--fill-gaps` (previous close, zero volume), not observed.
    public var isFilled: Bool

    public init(openTime: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double, isFilled: Bool = false) {
        self.openTime = openTime
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.isFilled = isFilled
    }

    /// Why this bar cannot be stored, or nil when it is sound: finite positive prices, a high and low
    /// that bracket open and close, a non-negative volume.
    public var defect: String? {
        for (name, value) in [("open", open), ("high", high), ("low", low), ("close", close)] {
            if !value.isFinite || value <= 0 { return "\(name) must be a positive finite number, got \(value)" }
        }
        if !volume.isFinite || volume < 0 { return "volume must be a non-negative finite number, got \(volume)" }
        if high < max(open, close) { return "high \(high) is below max(open, close) \(max(open, close))" }
        if low > min(open, close) { return "low \(low) is above min(open, close) \(min(open, close))" }
        return nil
    }
}

/// The bars of one symbol at one timeframe, sorted by open time, no duplicates.
public struct BarSeries: Sendable, Equatable {
    public var symbol: String
    public var timeframe: Timeframe
    public var bars: [Bar]

    public init(symbol: String, timeframe: Timeframe, bars: [Bar]) {
        self.symbol = symbol
        self.timeframe = timeframe
        self.bars = bars
    }
}

public enum Symbols {
    /// Exchange symbols are upper-case letters and digits (e.g. BTCUSDT); input is upper-cased.
    public static func normalise(_ text: String) throws -> String {
        let symbol = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard (2...30).contains(symbol.count), symbol.allSatisfy({ ($0.isASCII && $0.isLetter) || $0.isNumber }) else {
            throw MarketDataError.invalidArgument("invalid symbol '\(text)': use exchange symbols such as BTCUSDT (letters and digits)")
        }
        return symbol
    }

    public static func parseList(_ text: String) throws -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for part in text.split(separator: ",") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
            let symbol = try normalise(String(part))
            if seen.insert(symbol).inserted { result.append(symbol) }
        }
        guard !result.isEmpty else { throw MarketDataError.invalidArgument("no symbols given in '\(text)'") }
        return result
    }
}

/// Sorts bars by open time and collapses duplicates (the last occurrence wins, as a later exchange
/// answer or a later CSV line corrects an earlier one). Returns the bars and how many were dropped.
public func collapseDuplicates(_ bars: [Bar]) -> (bars: [Bar], duplicates: Int) {
    guard bars.count > 1 else { return (bars, 0) }
    var sorted = bars.enumerated().sorted { lhs, rhs in
        lhs.element.openTime != rhs.element.openTime ? lhs.element.openTime < rhs.element.openTime : lhs.offset < rhs.offset
    }.map(\.element)
    var write = 0
    for read in 1..<sorted.count {
        if sorted[read].openTime == sorted[write].openTime {
            sorted[write] = sorted[read]
        } else {
            write += 1
            sorted[write] = sorted[read]
        }
    }
    let kept = write + 1
    return (Array(sorted[..<kept]), bars.count - kept)
}
