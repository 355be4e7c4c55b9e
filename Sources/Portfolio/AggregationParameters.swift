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
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw MarketDataError.invalidArgument(message) }
        }
        try check((0...1).contains(minProba), "--min-proba must be in [0, 1] (got \(minProba))")
        try check(topK >= 1, "--top-k must be at least 1 (got \(topK))")
        try check(equity > 0 && equity <= 1e15, "--equity must be in (0, 1e15] (got \(equity))")
        try check(leverage > 0 && leverage <= 100, "--leverage must be in (0, 100] (got \(leverage))")
        try check(
            maxSymbolWeight > 0 && maxSymbolWeight <= 10,
            "--max-symbol-weight must be in (0, 10] (got \(maxSymbolWeight))")
        try check(maxGross > 0 && maxGross <= 10, "--max-gross must be in (0, 10] (got \(maxGross))")
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
