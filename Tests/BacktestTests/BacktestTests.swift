import Foundation
@testable import Backtest
import ModelFormat
import Testing

struct BacktestTests {
    /// The legs are bought at a fill and then held as quantities: each bar earns each leg's simple
    /// return on its current value, and every fill pays the fee on the notional each leg trades.
    @Test func spreadPnLWithFeesOnEachChange() {
        let positions: [Double] = [0, 1, 1, 0, -1]
        let movesA = [0.01, 0.02, -0.01, 0.03, 0.01]
        let movesB = [0.0, 0.0, 0.0, 0.0, 0.0]
        let betas = [1.0, 1.0, 1.0, 1.0, 1.0]
        let fee = 0.001
        let (result, returns) = Backtest.run(
            positions: positions, movesA: movesA, movesB: movesB, betas: betas,
            execution: Execution(feeRate: fee, slippageBps: 0, delayBars: 0), barsPerYear: 100)
        // Bar 1: 0.5 of equity long A, 0.5 short B (β = 1), fee on both; A then gains e^0.02 − 1.
        let e1 = 1 - fee + 0.5 * (exp(0.02) - 1)
        // Bar 2: A's leg, now worth 0.5·e^0.02, moves by e^−0.01 − 1; the hedge is untouched.
        let e2 = e1 + 0.5 * exp(0.02) * (exp(-0.01) - 1)
        // Bar 3: both legs sold at their values (A 0.5·e^0.01, B 0.5).
        let e3 = e2 - (0.5 * exp(0.01) + 0.5) * fee
        // Bar 4: short the spread with the whole equity; A falls against it.
        let e4 = e3 - e3 * fee - e3 / 2 * (exp(0.01) - 1)
        let expected = [0.0, e1 - 1, e2 / e1 - 1, e3 / e2 - 1, e4 / e3 - 1]
        for (a, b) in zip(returns, expected) { #expect(abs(a - b) < 1e-15, "\(returns) \(expected)") }
        #expect(result.trades == 2)
        #expect(result.exposure == 0.6)
        #expect(abs(result.hitRate! - 1.0 / 3.0) < 1e-12)
        #expect(result.maxDrawdown > 0)
    }

    /// A signal at bar t's close fills one bar later: the move from t to t+1 is not earned.
    @Test func theDefaultFillIsOneBarAfterTheSignalAndPaysSlippage() {
        let positions: [Double] = [1, 1, 0, 0]
        let movesA = [0.05, 0.01, 0.02, 0.0]
        let movesB = [0.0, 0.0, 0.0, 0.0]
        let betas = [0.0, 0.0, 0.0, 0.0]
        let execution = Execution()
        #expect(execution.delayBars == 1 && execution.slippageBps > 0)
        let (_, returns) = Backtest.run(
            positions: positions, movesA: movesA, movesB: movesB, betas: betas, execution: execution, barsPerYear: 100)
        let cost = execution.feeRate + execution.slippageBps / 10_000
        let e1 = 1 - cost + (exp(0.01) - 1)
        let e2 = e1 + exp(0.01) * (exp(0.02) - 1)
        let e3 = e2 - exp(0.03) * cost
        let expected = [0.0, e1 - 1, e2 / e1 - 1, e3 / e2 - 1]
        for (a, b) in zip(returns, expected) { #expect(abs(a - b) < 1e-15, "\(returns)") }
        // The hedge is the one decided with the signal: β of bar t, not of the fill bar.
        let hedged = Backtest.run(
            positions: [1, 1, 0], movesA: [0, 0.02, 0], movesB: [0, 0.01, 0], betas: [2, 0, 0],
            execution: Execution(feeRate: 0, slippageBps: 0, delayBars: 1), barsPerYear: 100
        ).returns
        #expect(abs(hedged[1] - ((exp(0.02) - 1) / 3 - 2 * (exp(0.01) - 1) / 3)) < 1e-15)
    }

    /// A held position keeps the hedge it was filled with, whatever β does later: a broker holds
    /// quantities, and re-hedging every bar would be trading the backtest never paid for.
    @Test func theHedgeIsNotRebalancedWhileAPositionIsHeld() {
        let path = Backtest.simulate(
            positions: [1, 1, 1, 0], movesA: [0, 0.01, 0.01, 0], movesB: [0, 0.02, 0.02, 0],
            betas: [1, 3, 3, 3], execution: Execution(feeRate: 0, slippageBps: 0, delayBars: 0),
            barsPerYear: 100, times: [10, 20, 30, 40])
        let a = 0.5 * exp(0.01), b = -0.5 * exp(0.02)
        let e1 = 1 + 0.5 * (exp(0.01) - 1) - 0.5 * (exp(0.02) - 1)
        let e2 = e1 + a * (exp(0.01) - 1) + b * (exp(0.02) - 1)
        #expect(abs(path.returns[2] - (e2 / e1 - 1)) < 1e-15)
        #expect(path.held == [1, 1, 1, 0])
        // One round trip, from bar 0's fill to bar 3's, with the times given.
        #expect(path.trades.count == 1)
        #expect(path.trades.first.map { ($0.entryTime, $0.exitTime, $0.side) } ?? (0, 0, 0) == (10, 40, 1))
        let compounded = path.returns.reduce(1) { $0 * (1 + $1) } - 1
        #expect(abs(path.trades[0].ret - compounded) < 1e-12)
    }

    /// The portfolio is equal sleeves that are never rebalanced: its equity is the mean of the pairs'
    /// equities, whatever their paths.
    @Test func thePortfolioIsEqualSleevesNeverRebalanced() {
        let a: [Double] = [0.1, 0.1, -0.05], b: [Double] = [0, -0.2, 0.3]
        let (times, returns) = equalSleevePortfolio([
            (times: [1, 2, 3], returns: a), (times: [2, 3], returns: Array(b.dropFirst()))
        ])
        #expect(times == [1, 2, 3])
        var ea = 1.0, eb = 1.0, previous = 2.0
        for (index, time) in times.enumerated() {
            ea *= 1 + a[index]
            if time >= 2 { eb *= 1 + b[index] }
            #expect(abs(returns[index] - ((ea + eb) / previous - 1)) < 1e-15)
            previous = ea + eb
        }
    }

    @Test func positionsAreHeldUntilTheSpreadCrossesItsMean() {
        let z = [0.5, 1.5, 1.0, 0.2, -0.1, -1.3, -0.4, 0.3]
        #expect(Backtest.zRulePositions(z: z, threshold: 1.2) == [0, -1, -1, -1, 0, 1, 1, 0])
        let p = [0.9, 0.2, 0.2, 0.9, 0.9, 0.1, 0.1, 0.1]
        #expect(
            Backtest.modelPositions(probabilities: p, z: z, threshold: 0.5, entryZ: 0) == [-1, -1, -1, -1, 1, 1, 1, 0])
        // With the label's stretch as the entry bar, unstretched bars never open a position.
        #expect(
            Backtest.modelPositions(probabilities: p, z: z, threshold: 0.5, entryZ: 1.2) == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(
            Backtest.modelPositions(probabilities: [0.9, 0.9, 0.9], z: [0.5, 1.5, 0.8], threshold: 0.5, entryZ: 1.2)
                == [0, -1, -1])
    }
}
