import Foundation
import ModelFormat

/// What a pair's positions earn, bar by bar, as the paper broker books them (`PairSleeve`).
///
/// A position p ∈ {−1, 0, 1} decided at the close of bar t (+1 = long the spread: long A, short
/// β·B, with β_t known at t) is filled `delayBars` bars later at that bar's close, sized on the
/// sleeve's equity with β_t, and then held as quantities until the next fill: each bar's return is
/// the sleeve's equity after the next close over its equity at this close (before this close's
/// fill), less 1. Every fill pays fee and slippage on the notional each leg trades.
public enum Backtest {
    /// One pair's path through its bars.
    public struct PairPath: Sendable, Equatable {
        public var result: BacktestResult
        /// Per bar: the return from this bar's close (its fill included) to the next close.
        public var returns: [Double]
        /// Per bar: the side held after this bar's fill.
        public var held: [Double]
        /// Round trips, closed ones only, with the bar times given (or bar indices).
        public var trades: [ClosedTrade]
    }

    /// Per-bar returns. `movesA[t]`/`movesB[t]` are the legs' log moves from bar t's close to bar
    /// t+1's; `positions[t]` is what was decided at bar t's close.
    public static func run(
        positions: [Double], movesA: [Double], movesB: [Double], betas: [Double], execution: Execution,
        barsPerYear: Double
    ) -> (result: BacktestResult, returns: [Double]) {
        let path = simulate(
            positions: positions, movesA: movesA, movesB: movesB, betas: betas, execution: execution,
            barsPerYear: barsPerYear)
        return (path.result, path.returns)
    }

    /// `run`, with the held sides and the closed trades. `times`: the bars' open times, for the
    /// trades (bar indices when nil).
    public static func simulate(
        positions: [Double], movesA: [Double], movesB: [Double], betas: [Double], execution: Execution,
        barsPerYear: Double, times: [Int64]? = nil
    ) -> PairPath {
        precondition(
            positions.count == movesA.count && positions.count == movesB.count && positions.count == betas.count,
            "backtest inputs differ in length")
        let delay = execution.delayBars
        var sleeve = PairSleeve(equity: 1)
        var open: OpenTrade?
        var held = [Double](repeating: 0, count: positions.count)
        var signedMoves = [Double](repeating: 0, count: positions.count)
        var returns = [Double](repeating: 0, count: positions.count)
        var trades: [ClosedTrade] = []
        for t in positions.indices {
            let before = sleeve.equity
            let decided = t - delay
            let target = decided >= 0 ? positions[decided] : 0
            if let fill = sleeve.fill(to: target, beta: betas[max(decided, 0)], execution: execution) {
                let cut = OpenTrade.after(fill, at: times?[t] ?? Int64(t), open: open)
                if let closed = cut.closed { trades.append(closed) }
                open = cut.open
            }
            let pnl = sleeve.mark(growthA: exp(movesA[t]), growthB: exp(movesB[t]))
            held[t] = sleeve.position
            signedMoves[t] = sleeve.position * pnl
            returns[t] = sleeve.equity / before - 1
        }
        return PairPath(
            result: evaluate(returns: returns, positions: held, nextMoves: signedMoves, barsPerYear: barsPerYear),
            returns: returns, held: held, trades: trades)
    }

    /// Figures of per-bar returns; `positions` are the held positions, `nextMoves` the spread moves they earned.
    public static func evaluate(returns: [Double], positions: [Double], nextMoves: [Double], barsPerYear: Double)
        -> BacktestResult
    {
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
        return BacktestResult(
            bars: n, cumulativeReturn: equity - 1, sharpe: sharpe, maxDrawdown: maxDrawdown,
            turnover: n > 0 ? turnover / Double(n) : 0, trades: trades,
            hitRate: inPosition > 0 ? Double(hits) / Double(inPosition) : nil,
            exposure: n > 0 ? Double(inPosition) / Double(n) : 0)
    }

    /// Model positions: flat until the calibrated probability reaches the threshold on a bar stretched
    /// at least `entryZ`, then against the stretch (−sign z); held until the spread crosses its mean
    /// (z changes side), then flat again unless the model signals anew (`PositionRule`, which the
    /// paper broker steps with the router's signals, so the live ledger holds what was backtested).
    /// Each position depends on bars ≤ t only.
    public static func modelPositions(probabilities: [Double], z: [Double], threshold: Double, entryZ: Double)
        -> [Double]
    {
        holdToMean(z: z) { t in probabilities[t] >= threshold && abs(z[t]) >= entryZ }
    }

    /// The plain z rule: enter against the stretch when |z| ≥ threshold, exit when z crosses the mean.
    public static func zRulePositions(z: [Double], threshold: Double) -> [Double] {
        holdToMean(z: z) { t in abs(z[t]) >= threshold }
    }

    static func holdToMean(z: [Double], enter: (Int) -> Bool) -> [Double] {
        var position = 0.0
        return z.indices.map { t in
            position = PositionRule.next(position, z: z[t], enter: enter(t))
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
            if index % stride == 0 || index == returns.count - 1 {
                curve.append(EquityPoint(time: times[index], equity: equity))
            }
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
    /// The portfolio of pair return streams (`equalSleevePortfolio`), its figures over every bar and
    /// its (sampled) equity curve: one definition for training, the backtest stage, the report and
    /// the paper ledger's expected band. nil figures when there is no bar.
    /// `trades`: the pairs' trades, summed (a portfolio's trades are its pairs' trades; its own
    /// return series cannot tell an entry from a bar of a position held on).
    public static func portfolio(_ streams: [(times: [Int64], returns: [Double])], trades: Int, barsPerYear: Double)
        -> (result: BacktestResult?, equity: [EquityPoint], returns: [Double])
    {
        let combined = equalSleevePortfolio(streams)
        guard !combined.returns.isEmpty else { return (nil, [], []) }
        var result = evaluate(
            returns: combined.returns, positions: combined.returns.map { $0 == 0 ? 0 : 1 },
            nextMoves: combined.returns, barsPerYear: barsPerYear)
        result.trades = trades
        return (result, equityCurve(times: combined.times, returns: combined.returns), combined.returns)
    }
}

/// The portfolio the paper broker keeps: the capital split into equal sleeves, one per pair, at the
/// start, each sleeve then compounding its own pair's returns and never rebalanced against the
/// others (a pair's equity is 1 before its first bar and stays where it ended after its last).
/// Each bar's return is the change of the sleeves' summed equity. Bars are the union of the
/// streams' bar times.
public func equalSleevePortfolio(_ streams: [(times: [Int64], returns: [Double])]) -> (
    times: [Int64], returns: [Double]
) {
    var byTime: [Int64: [(stream: Int, ret: Double)]] = [:]
    for (index, stream) in streams.enumerated() {
        for (time, r) in zip(stream.times, stream.returns) { byTime[time, default: []].append((index, r)) }
    }
    let times = byTime.keys.sorted()
    var equities = [Double](repeating: 1, count: streams.count)
    var total = Double(streams.count)
    var returns: [Double] = []
    returns.reserveCapacity(times.count)
    for time in times {
        let before = total
        for (stream, r) in byTime[time]! { equities[stream] *= 1 + r }
        total = equities.reduce(0, +)
        returns.append(before > 0 ? total / before - 1 : 0)
    }
    return (times, returns)
}
