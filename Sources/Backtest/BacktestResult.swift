import Foundation
import ModelFormat

public struct BacktestResult: Codable, Sendable, Equatable {
    public var bars: Int
    /// Compounded: final equity − 1.
    public var cumulativeReturn: Double
    /// mean / sd of per-bar returns × √(bars per year); 0 without variation.
    public var sharpe: Double
    public var maxDrawdown: Double
    /// Mean |Δposition| per bar.
    public var turnover: Double
    /// Entries into a position, and reversals.
    public var trades: Int
    /// Share of bars in a position that earned a positive spread move.
    public var hitRate: Double?
    /// Share of bars in a position.
    public var exposure: Double

    public init(
        bars: Int, cumulativeReturn: Double, sharpe: Double, maxDrawdown: Double, turnover: Double, trades: Int,
        hitRate: Double? = nil, exposure: Double
    ) {
        self.bars = bars
        self.cumulativeReturn = cumulativeReturn
        self.sharpe = sharpe
        self.maxDrawdown = maxDrawdown
        self.turnover = turnover
        self.trades = trades
        self.hitRate = hitRate
        self.exposure = exposure
    }
}
