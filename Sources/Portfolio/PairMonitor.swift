import Backtest
import Foundation
import ModelFormat

/// Whether a deployed pair's live trades still look like what its out-of-fold trades promised: a
/// one-sided CUSUM (Page, 1954) on standardised per-trade returns against the out-of-fold mean.
///
/// Each closed trade adds (μ₀ − x)/σ₀ − k to a sum floored at 0, where μ₀ and σ₀ are the mean and
/// standard deviation of the pair's out-of-fold trade returns after costs and k = ½: the sum
/// drifts down while trades earn what was promised and climbs once they fall short. The `watch`
/// and `degraded` levels are the pair's own (`TradeExpectation.calibrate`): those its out-of-fold
/// trades, resampled, reach within 250 trades 10 % and 1 % of the time, since trade returns are
/// too skewed for the normal-theory levels (2.5 and 5, kept as floors). An open trade whose
/// running return is already below the worst out-of-fold trade counts provisionally, so a
/// position that keeps losing because the spread stopped reverting is flagged before it closes. `degraded` stays until a new
/// model version or a person re-enables the pair; `watch` clears when the sum falls back.
public struct PairMonitor: Codable, Sendable, Equatable {
    public var expectation: TradeExpectation?
    public var cusum = 0.0
    public var trades = 0
    public var sumOfReturns = 0.0

    public init(expectation: TradeExpectation?) { self.expectation = expectation }

    func step(_ sum: Double, _ ret: Double, _ expectation: TradeExpectation) -> Double {
        max(0, sum + (expectation.meanReturn - ret) / expectation.standardDeviation - PairMonitorLevels.slack)
    }

    public mutating func record(_ ret: Double) {
        trades += 1
        sumOfReturns += ret
        if let expectation, expectation.standardDeviation > 0 { cusum = step(cusum, ret, expectation) }
    }

    /// The verdict after the closed trades, with the open trade's running return counted when it
    /// is below the worst out-of-fold trade.
    public func verdict(openReturn: Double?) -> (status: PairStatus, reason: String) {
        guard let expectation, expectation.standardDeviation > 0 else {
            return (.ok, "not monitored: the model version carries no out-of-fold trade expectation")
        }
        let openReturn = openReturn.flatMap { $0 < expectation.worstReturn ? $0 : nil }
        let sum = openReturn.map { max(cusum, step(cusum, $0, expectation)) } ?? cusum
        let mean = trades > 0 ? sumOfReturns / Double(trades) : nil
        let facts =
            "CUSUM \(Self.format(sum)) after \(trades) trade\(trades == 1 ? "" : "s")"
            + (mean.map { ", mean \(Self.percent($0))" } ?? "")
            + (openReturn.map { ", open trade \(Self.percent($0)) (worse than any out-of-fold trade)" } ?? "")
            + " against \(Self.percent(expectation.meanReturn)) ± \(Self.percent(expectation.standardDeviation)) out of fold"
        if sum >= expectation.cusumDegraded {
            return (.degraded, facts + " (degraded at \(Self.format(expectation.cusumDegraded)))")
        }
        if sum >= expectation.cusumWatch {
            return (.watch, facts + " (watch at \(Self.format(expectation.cusumWatch)))")
        }
        return (.ok, facts)
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }
    static func percent(_ value: Double) -> String { String(format: "%.3f%%", value * 100) }
}

/// Where a deployed pair stands in the paper ledger.
public enum PairStatus: String, Codable, Sendable, CaseIterable {
    /// Trading; its trades look like the out-of-fold ones.
    case ok
    /// Trading, but its trades fall short of the promise (CUSUM past the watch level).
    case watch
    /// Its trades fell far short: no new position until a new model version or a re-enable (what it
    /// holds runs to the rule's exit, or to the drawdown stop).
    case degraded
    /// A drawdown stop fired (its own, or the portfolio's): flattened, no new position until a new
    /// model version or a re-enable.
    case stopped
    /// The served version no longer has the pair: flattened, its capital released to the others.
    case dropped

    public var opensPositions: Bool { self == .ok || self == .watch }
}
