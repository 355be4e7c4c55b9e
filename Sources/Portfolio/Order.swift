import Foundation
import MarketData

/// One leg of one pair trade, after caps.
public struct Order: Codable, Sendable, Equatable {
    public var symbol: String
    /// `buy` or `sell`.
    public var side: String
    /// Positive, in quote currency.
    public var notional: Double
    /// notional / price: units of the symbol at the last close.
    public var quantity: Double
    public var price: Double
    public var pair: String
    /// Share of equity × leverage the pair was given after caps.
    public var weight: Double
    public var proba: Double
}
