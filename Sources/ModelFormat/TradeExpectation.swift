import Foundation

/// What a pair's out-of-fold trades promise: the reference its live trades are tested against
/// (`PairMonitor`), carried in the router's manifest as member metrics (`oof_trade_*`,
/// `oof_cusum_*`) and in `/metadata` as each pair's `trade_expectation`.
public struct TradeExpectation: Codable, Sendable, Equatable {
    /// Closed round trips out of fold.
    public var trades: Int
    /// Mean and sample standard deviation of their returns, after costs.
    public var meanReturn: Double
    public var standardDeviation: Double
    /// Share of trades with a positive return.
    public var hitRate: Double
    /// Trades per day of the out-of-fold span.
    public var tradesPerDay: Double
    /// The span's largest drawdown.
    public var maxDrawdown: Double
    /// Mean time from a trade's opening fill to its closing fill, in minutes.
    public var meanHoldingMinutes: Double
    /// The worst out-of-fold trade's return: an open trade below it has lost more than any trade did.
    public var worstReturn: Double
    /// The monitor's CUSUM levels for `watch` and `degraded`, calibrated on these trades (`calibrate`).
    public var cusumWatch: Double
    public var cusumDegraded: Double

    public init(
        trades: Int, meanReturn: Double, standardDeviation: Double, hitRate: Double, tradesPerDay: Double,
        maxDrawdown: Double,
        meanHoldingMinutes: Double, worstReturn: Double, cusumWatch: Double, cusumDegraded: Double
    ) {
        self.trades = trades
        self.meanReturn = meanReturn
        self.standardDeviation = standardDeviation
        self.hitRate = hitRate
        self.tradesPerDay = tradesPerDay
        self.maxDrawdown = maxDrawdown
        self.meanHoldingMinutes = meanHoldingMinutes
        self.worstReturn = worstReturn
        self.cusumWatch = cusumWatch
        self.cusumDegraded = cusumDegraded
    }

    /// From closed trades' returns and holding times (minutes) over a span of `days`; nil without
    /// two trades or without spread (nothing to test against).
    public init?(returns: [Double], holdingMinutes: [Double], days: Double, maxDrawdown: Double) {
        guard returns.count >= 2, returns.count == holdingMinutes.count else { return nil }
        let n = Double(returns.count)
        let mean = returns.reduce(0, +) / n
        let sd = (returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        guard sd > 0, sd.isFinite else { return nil }
        let levels = Self.calibrate(returns, mean: mean, standardDeviation: sd)
        self.init(
            trades: returns.count, meanReturn: mean, standardDeviation: sd,
            hitRate: Double(returns.filter { $0 > 0 }.count) / n,
            tradesPerDay: n / max(days, 1.0 / 288), maxDrawdown: maxDrawdown,
            meanHoldingMinutes: holdingMinutes.reduce(0, +) / n, worstReturn: returns.min()!,
            cusumWatch: levels.watch, cusumDegraded: levels.degraded)
    }

    /// Trades the monitor's false-alarm rate is set over, and the rates.
    public static let calibrationTrades = 250
    public static let watchFalseAlarms = 0.10
    public static let degradedFalseAlarms = 0.01

    /// The CUSUM levels (`PairMonitor`) at which a pair whose live trades are drawn from its own
    /// out-of-fold trades would reach `watch` within 250 trades 10 % of the time and `degraded` 1 %:
    /// 4,000 bootstrap paths of the trades, drawn with a fixed seed, so a build is reproducible.
    /// Trade returns are skewed (many small wins, a few large losses), so the normal-theory levels
    /// (2.5 and 5 for a slack of ½σ) would flag healthy pairs far too often; they stay as floors.
    public static func calibrate(_ returns: [Double], mean: Double, standardDeviation: Double) -> (
        watch: Double, degraded: Double
    ) {
        var state: UInt64 = 0x9E37_79B9 ^ UInt64(returns.count)
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let scores = returns.map { (mean - $0) / standardDeviation - PairMonitorLevels.slack }
        let paths = 4_000
        var maxima: [Double] = []
        maxima.reserveCapacity(paths)
        for _ in 0..<paths {
            var sum = 0.0, peak = 0.0
            for _ in 0..<calibrationTrades {
                sum = max(0, sum + scores[Int(next() % UInt64(scores.count))])
                peak = max(peak, sum)
            }
            maxima.append(peak)
        }
        maxima.sort()
        func quantile(_ q: Double) -> Double {
            maxima[min(maxima.count - 1, Int((q * Double(maxima.count)).rounded(.up)))]
        }
        return (
            max(PairMonitorLevels.watch, quantile(1 - watchFalseAlarms)),
            max(PairMonitorLevels.degraded, quantile(1 - degradedFalseAlarms))
        )
    }

    /// The manifest's metric names, and back.
    public var metrics: [String: Double] {
        [
            "oof_trade_count": Double(trades), "oof_trade_mean": meanReturn, "oof_trade_sd": standardDeviation,
            "oof_trade_hit_rate": hitRate, "oof_trades_per_day": tradesPerDay, "oof_trade_max_drawdown": maxDrawdown,
            "oof_trade_hold_minutes": meanHoldingMinutes, "oof_trade_worst": worstReturn, "oof_cusum_watch": cusumWatch,
            "oof_cusum_degraded": cusumDegraded
        ]
    }

    public init?(metrics: [String: Double]) {
        guard let count = metrics["oof_trade_count"], let mean = metrics["oof_trade_mean"],
            let sd = metrics["oof_trade_sd"],
            let hit = metrics["oof_trade_hit_rate"], let rate = metrics["oof_trades_per_day"],
            let drawdown = metrics["oof_trade_max_drawdown"], let hold = metrics["oof_trade_hold_minutes"],
            let worst = metrics["oof_trade_worst"], let watch = metrics["oof_cusum_watch"],
            let degraded = metrics["oof_cusum_degraded"],
            [count, mean, sd, hit, rate, drawdown, hold, worst, watch, degraded].allSatisfy(\.isFinite)
        else { return nil }
        self.init(
            trades: Int(count), meanReturn: mean, standardDeviation: sd, hitRate: hit, tradesPerDay: rate,
            maxDrawdown: drawdown,
            meanHoldingMinutes: hold, worstReturn: worst, cusumWatch: watch, cusumDegraded: degraded)
    }
}

/// The monitor's fixed constants, here so the calibration and the monitor share them.
public enum PairMonitorLevels {
    /// k: half the out-of-fold standard deviation per trade.
    public static let slack = 0.5
    /// Normal-theory levels, the floors of the calibrated ones.
    public static let watch = 2.5
    public static let degraded = 5.0
}
