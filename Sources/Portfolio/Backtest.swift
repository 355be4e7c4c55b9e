import Foundation

public struct BacktestCosts: Codable, Sendable, Equatable {
    /// Fee per unit of notional traded, per leg (0.0005 = 5 bp).
    public var feeRate = 0.0005
    public var slippageBps = 0.0

    public init(feeRate: Double = 0.0005, slippageBps: Double = 0) {
        self.feeRate = feeRate
        self.slippageBps = slippageBps
    }

    var perUnitTraded: Double { feeRate + slippageBps / 10_000 }
}

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
}

/// Next-bar spread P&L of a pair position.
///
/// A position p_t ∈ [−1, 1] taken at the close of bar t (+1 = long the spread: long A, short β·B)
/// earns the next bar's spread increment Δs = Δln A − β_t·Δln B, with β_t known at t. Capital is the
/// gross notional 1 + |β_t|, so the bar's return is p_t·Δs / (1 + |β_t|). Every change of position
/// pays fees and slippage on both legs: |p_t − p_{t−1}|·(fee + slippage) per unit of capital.
public enum Backtest {
    public static func returns(positions: [Double], nextMoves: [Double], betas: [Double], costs: BacktestCosts) -> [Double] {
        precondition(positions.count == nextMoves.count && positions.count == betas.count, "backtest inputs differ in length")
        var previous = 0.0
        return positions.indices.map { t in
            let position = positions[t]
            let gross = position * nextMoves[t] / (1 + abs(betas[t]))
            let cost = abs(position - previous) * costs.perUnitTraded
            previous = position
            return gross - cost
        }
    }

    public static func evaluate(returns: [Double], positions: [Double], nextMoves: [Double], barsPerYear: Double) -> BacktestResult {
        let n = returns.count
        var equity = 1.0, peak = 1.0, maxDrawdown = 0.0
        for r in returns {
            equity *= 1 + r
            peak = max(peak, equity)
            maxDrawdown = max(maxDrawdown, 1 - equity / peak)
        }
        let mean = n > 0 ? returns.reduce(0, +) / Double(n) : 0
        let variance = n > 1 ? returns.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1) : 0
        let sharpe = variance > 0 ? mean / variance.squareRoot() * barsPerYear.squareRoot() : 0
        var turnover = 0.0, trades = 0, inPosition = 0, hits = 0
        var previous = 0.0
        for t in 0..<n {
            let position = positions[t]
            turnover += abs(position - previous)
            if position != 0 && position != previous { trades += 1 }
            if position != 0 {
                inPosition += 1
                if position * nextMoves[t] > 0 { hits += 1 }
            }
            previous = position
        }
        return BacktestResult(bars: n, cumulativeReturn: equity - 1, sharpe: sharpe, maxDrawdown: maxDrawdown,
                              turnover: n > 0 ? turnover / Double(n) : 0, trades: trades,
                              hitRate: inPosition > 0 ? Double(hits) / Double(inPosition) : nil,
                              exposure: n > 0 ? Double(inPosition) / Double(n) : 0)
    }

    public static func run(positions: [Double], nextMoves: [Double], betas: [Double], costs: BacktestCosts,
                           barsPerYear: Double) -> (result: BacktestResult, returns: [Double]) {
        let perBar = returns(positions: positions, nextMoves: nextMoves, betas: betas, costs: costs)
        return (evaluate(returns: perBar, positions: positions, nextMoves: nextMoves, barsPerYear: barsPerYear), perBar)
    }

    /// Model positions: flat until the calibrated probability reaches the threshold, then against the
    /// stretch (−sign z); held until the spread crosses its mean (z changes side), then flat again
    /// unless the model signals anew. Each position depends on bars ≤ t only.
    public static func modelPositions(probabilities: [Double], z: [Double], threshold: Double) -> [Double] {
        holdToMean(z: z) { t in probabilities[t] >= threshold }
    }

    /// The plain z rule: enter against the stretch when |z| ≥ threshold, exit when z crosses the mean.
    public static func zRulePositions(z: [Double], threshold: Double) -> [Double] {
        holdToMean(z: z) { t in abs(z[t]) >= threshold }
    }

    static func holdToMean(z: [Double], enter: (Int) -> Bool) -> [Double] {
        var position = 0.0
        return z.indices.map { t in
            if position != 0 && position * z[t] >= 0 { position = 0 }
            if position == 0 && z[t] != 0 && enter(t) { position = z[t] > 0 ? -1 : 1 }
            return position
        }
    }

    /// Equity curve from per-bar returns, thinned to at most `points` points (first and last kept).
    public static func equityCurve(times: [Int64], returns: [Double], points: Int = 400) -> [EquityPoint] {
        var equity = 1.0
        var curve: [EquityPoint] = []
        // Rounded up, so the curve has at most `points` points plus the last bar.
        let stride = max(1, (returns.count + max(points, 1) - 1) / max(points, 1))
        for (index, r) in returns.enumerated() {
            equity *= 1 + r
            if index % stride == 0 || index == returns.count - 1 { curve.append(EquityPoint(time: times[index], equity: equity)) }
        }
        return curve
    }
}

public struct EquityPoint: Codable, Sendable, Equatable {
    public var time: Int64
    public var equity: Double
}

extension Backtest {
    /// The equal-weight portfolio of pair return streams (`equalWeightPortfolio`), its figures over
    /// every bar and its (sampled) equity curve: one definition for training, the backtest stage
    /// and the report. nil figures when there is no bar.
    public static func portfolio(_ streams: [(times: [Int64], returns: [Double])], barsPerYear: Double)
        -> (result: BacktestResult?, equity: [EquityPoint]) {
        let combined = equalWeightPortfolio(streams)
        guard !combined.returns.isEmpty else { return (nil, []) }
        let result = evaluate(returns: combined.returns, positions: combined.returns.map { $0 == 0 ? 0 : 1 },
                              nextMoves: combined.returns, barsPerYear: barsPerYear)
        return (result, equityCurve(times: combined.times, returns: combined.returns))
    }
}

/// Equal-weight portfolio of pair return streams aligned by bar time: each bar's return is the mean
/// over the pairs that have a return at that bar.
public func equalWeightPortfolio(_ streams: [(times: [Int64], returns: [Double])]) -> (times: [Int64], returns: [Double]) {
    var sums: [Int64: (sum: Double, count: Int)] = [:]
    for stream in streams {
        for (time, r) in zip(stream.times, stream.returns) {
            sums[time, default: (0, 0)].sum += r
            sums[time, default: (0, 0)].count += 1
        }
    }
    let times = sums.keys.sorted()
    return (times, times.map { sums[$0]!.sum / Double(sums[$0]!.count) })
}
