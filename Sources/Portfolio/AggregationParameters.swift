import Basics
import Foundation
import MarketData

/// How signals become orders (`mntrading aggregate`, and every inference cycle).
public struct AggregationParameters: Codable, Sendable, Equatable {
    public var minProba = 0.55
    public var topK = 10
    public var scheme = WeightingScheme.equalWeight
    public var equity = 10_000.0
    public var leverage = 1.0
    /// Largest |net exposure| in one symbol, as a fraction of equity × leverage.
    public var maxSymbolWeight = 0.25
    /// Largest sum of |net exposure| over symbols, as a fraction of equity × leverage.
    public var maxGross = 1.0

    public init() {}

    public var capital: Double { equity * leverage }

    public func validate() throws {
        try SettingError.check((0...1).contains(minProba), "min_proba", "must be in [0, 1] (got \(minProba))")
        try SettingError.check(topK >= 1, "top_k", "must be at least 1 (got \(topK))")
        try SettingError.check(equity > 0 && equity <= 1e15, "equity", "must be in (0, 1e15] (got \(equity))")
        try SettingError.check(leverage > 0 && leverage <= 100, "leverage", "must be in (0, 100] (got \(leverage))")
        try SettingError.check(
            maxSymbolWeight > 0 && maxSymbolWeight <= 10,
            "max_symbol_weight", "must be in (0, 10] (got \(maxSymbolWeight))")
        try SettingError.check(maxGross > 0 && maxGross <= 10, "max_gross", "must be in (0, 10] (got \(maxGross))")
    }
}

public enum WeightingScheme: String, Codable, Sendable, CaseIterable {
    /// Every chosen pair gets the same capital.
    case equalWeight = "equal_weight"
    /// Capital in proportion to the calibrated probability.
    case probaWeighted = "proba_weighted"
    /// Capital in proportion to 1 / spread volatility: each pair contributes similar risk.
    case inverseVol = "inverse_vol"
}
