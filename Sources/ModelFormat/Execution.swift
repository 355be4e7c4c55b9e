import Basics
import Foundation

/// How a signal becomes a fill, and what the fill costs: the one rule training, the backtest stage,
/// the report and the live client's orders all use.
///
/// A signal computed at the close of bar t is filled `delayBars` bars later, at that bar's close:
/// the default of one bar is what a client that scores a bar after it closes can actually get (the
/// close that produced the signal is gone by the time the order reaches the exchange, and filling
/// there books the bid-ask bounce as profit). Every fill pays the fee and the slippage on both legs.
public struct Execution: Codable, Sendable, Equatable {
    /// Fee per unit of notional traded, per leg (0.0005 = 5 bp).
    public var feeRate = 0.0005
    /// Price impact and spread crossing per leg, in basis points of notional.
    public var slippageBps = 2.0
    /// Bars between the close that produced a signal and the close it fills at (0 = the same close).
    public var delayBars = 1

    public init(feeRate: Double = 0.0005, slippageBps: Double = 2, delayBars: Int = 1) {
        self.feeRate = feeRate
        self.slippageBps = slippageBps
        self.delayBars = delayBars
    }

    enum CodingKeys: String, CodingKey { case feeRate, slippageBps, delayBars }

    /// Settings stored before a field existed decode with that field's old meaning: no delay.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        feeRate = try container.decodeIfPresent(Double.self, forKey: .feeRate) ?? 0.0005
        slippageBps = try container.decodeIfPresent(Double.self, forKey: .slippageBps) ?? 0
        delayBars = try container.decodeIfPresent(Int.self, forKey: .delayBars) ?? 0
    }

    public func validate() throws {
        try SettingError.check(feeRate >= 0 && feeRate <= 0.1, "fee_rate", "must be in [0, 0.1] (got \(feeRate))")
        try SettingError.check(
            slippageBps >= 0 && slippageBps <= 1000, "slippage_bps", "must be in [0, 1000] (got \(slippageBps))")
        try SettingError.check(
            (0...100).contains(delayBars), "delay_bars", "must be between 0 and 100 bars (got \(delayBars))")
    }

    public var perUnitTraded: Double { feeRate + slippageBps / 10_000 }

    /// In words, for reports and order files.
    public var summary: String {
        let fill =
            delayBars == 0
            ? "at the signal bar's close" : "at the close \(delayBars) bar\(delayBars == 1 ? "" : "s") after the signal"
        return "filled \(fill); fee \(feeRate * 10_000) bp + slippage \(slippageBps) bp per leg"
    }
}
