import Foundation
import MarketData

/// The aggregation's answer: what to hold, and why the rest was left out.
public struct OrderBook: Codable, Sendable, Equatable {
    /// Open time of the bar the signals scored.
    public var asOf: Int64
    public var asOfUtc: String
    public var modelName: String
    public var modelVersion: Int
    public var parameters: AggregationParameters
    public var orders: [Order]
    public var totals: OrderTotals
    /// Pairs with a signal that did not become orders, and the reason.
    public var skipped: [SkippedPair]
    /// Did the caps scale the book down (factor < 1 for some pair)?
    public var capped: Bool
    /// How the model's training backtested such orders (fill delay, fee, slippage), when known.
    public var execution: String? = nil
}

public struct OrderTotals: Codable, Sendable, Equatable {
    /// Σ |net notional| over symbols: the exposure after netting.
    public var gross: Double
    /// Σ signed net notional (buy +, sell −); near 0 for a market-neutral book.
    public var net: Double
    /// Σ leg notionals before netting.
    public var legsGross: Double
    /// Signed net notional per symbol, by symbol. (Arrays, not dictionaries: JSON key strategies
    /// would rewrite symbol names used as keys.)
    public var perSymbol: [SymbolExposure]
}

public struct SymbolExposure: Codable, Sendable, Equatable {
    public var symbol: String
    public var net: Double
}

public struct SkippedPair: Codable, Sendable, Equatable {
    public var pair: String
    public var reason: String
}
