import Foundation
import ModelFormat

/// Spread P&L of a pair position.
///
/// A position p ∈ [−1, 1] decided at the close of bar t (+1 = long the spread: long A, short β·B,
/// with β_t known at t) is filled `delayBars` bars later and then earns each bar's spread increment
/// Δln A − β_t·Δln B. Capital is the gross notional 1 + |β_t|, so a bar's return is
/// p·Δs / (1 + |β_t|). Every change of the held position pays fee and slippage on both legs:
/// |Δp|·(fee + slippage) per unit of capital.
public enum Backtest {
    /// Per-bar returns. `movesA[t]`/`movesB[t]` are the legs' log moves from bar t's close to bar
    /// t+1's; `positions[t]` is what was decided at bar t's close.
    public static func run(positions: [Double], movesA: [Double], movesB: [Double], betas: [Double], execution: Execution,
                           barsPerYear: Double) -> (result: BacktestResult, returns: [Double]) {
        precondition(positions.count == movesA.count && positions.count == movesB.count && positions.count == betas.count,
                     "backtest inputs differ in length")
        let delay = execution.delayBars
        var held = [Double](repeating: 0, count: positions.count)
        var spreadMoves = [Double](repeating: 0, count: positions.count)
        var returns = [Double](repeating: 0, count: positions.count)
        var previous = 0.0
        for t in positions.indices {
            let decided = t - delay
            let position = decided >= 0 ? positions[decided] : 0
            let beta = betas[max(decided, 0)]
            let move = movesA[t] - beta * movesB[t]
            held[t] = position
            spreadMoves[t] = move
            returns[t] = position * move / (1 + abs(beta)) - abs(position - previous) * execution.perUnitTraded
            previous = position
        }
        return (evaluate(returns: returns, positions: held, nextMoves: spreadMoves, barsPerYear: barsPerYear), returns)
    }

    /// Figures of per-bar returns; `positions` are the held positions, `nextMoves` the spread moves they earned.
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

    /// Model positions: flat until the calibrated probability reaches the threshold on a bar stretched
    /// at least `entryZ`, then against the stretch (−sign z); held until the spread crosses its mean
    /// (z changes side), then flat again unless the model signals anew. The router's signal is the
    /// same rule (`Router`), so what live trading does is what was backtested. Each position depends
    /// on bars ≤ t only.
    public static func modelPositions(probabilities: [Double], z: [Double], threshold: Double, entryZ: Double) -> [Double] {
        holdToMean(z: z) { t in probabilities[t] >= threshold && abs(z[t]) >= entryZ }
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

    public init(time: Int64, equity: Double) {
        self.time = time
        self.equity = equity
    }
}

extension Backtest {
    /// The equal-weight portfolio of pair return streams (`equalWeightPortfolio`), its figures over
    /// every bar and its (sampled) equity curve: one definition for training, the backtest stage
    /// and the report. nil figures when there is no bar.
    /// `trades`: the pairs' trades, summed (a portfolio's trades are its pairs' trades; its own
    /// return series cannot tell an entry from a bar of a position held on).
    public static func portfolio(_ streams: [(times: [Int64], returns: [Double])], trades: Int, barsPerYear: Double)
        -> (result: BacktestResult?, equity: [EquityPoint], returns: [Double]) {
        let combined = equalWeightPortfolio(streams)
        guard !combined.returns.isEmpty else { return (nil, [], []) }
        var result = evaluate(returns: combined.returns, positions: combined.returns.map { $0 == 0 ? 0 : 1 },
                              nextMoves: combined.returns, barsPerYear: barsPerYear)
        result.trades = trades
        return (result, equityCurve(times: combined.times, returns: combined.returns), combined.returns)
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
