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
            throw MarketDataError.invalidArgument(
                "unknown timeframe '\(text)'; use one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return timeframe
    }

    /// The open time of the bar containing `time`.
    public func floor(_ time: Int64) -> Int64 {
        let remainder = time % milliseconds
        return remainder >= 0 ? time - remainder : time - remainder - milliseconds
    }
}
