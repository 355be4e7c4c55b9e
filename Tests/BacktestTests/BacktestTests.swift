import Foundation
@testable import Backtest
import ModelFormat
import Testing

struct BacktestTests {
    @Test func spreadPnLWithFeesOnEachChange() {
        let positions: [Double] = [0, 1, 1, 0, -1]
        let movesA = [0.01, 0.02, -0.01, 0.03, 0.01]
        let movesB = [0.0, 0.0, 0.0, 0.0, 0.0]
        let betas = [1.0, 1.0, 1.0, 1.0, 1.0]
        let (result, returns) = Backtest.run(positions: positions, movesA: movesA, movesB: movesB, betas: betas,
                                             execution: Execution(feeRate: 0.001, slippageBps: 0, delayBars: 0), barsPerYear: 100)
        // Capital 1 + |β| = 2; fees on |Δposition|: 0, 1, 0, 1, 1.
        let expected = [0.0, 0.01 - 0.001, -0.005, -0.001, -0.005 - 0.001]
        for (a, b) in zip(returns, expected) { #expect(abs(a - b) < 1e-15) }
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
        let (_, returns) = Backtest.run(positions: positions, movesA: movesA, movesB: movesB, betas: betas, execution: execution, barsPerYear: 100)
        let cost = execution.feeRate + execution.slippageBps / 10_000
        let expected = [0.0, 0.01 - cost, 0.02, -cost]
        for (a, b) in zip(returns, expected) { #expect(abs(a - b) < 1e-15, "\(returns)") }
        // The hedge is the one decided with the signal: β of bar t, not of the fill bar.
        let hedged = Backtest.run(positions: [1, 1, 0], movesA: [0, 0.02, 0], movesB: [0, 0.01, 0], betas: [2, 0, 0],
                                  execution: Execution(feeRate: 0, slippageBps: 0, delayBars: 1), barsPerYear: 100).returns
        #expect(abs(hedged[1] - (0.02 - 2 * 0.01) / 3) < 1e-15)
    }

    @Test func positionsAreHeldUntilTheSpreadCrossesItsMean() {
        let z = [0.5, 1.5, 1.0, 0.2, -0.1, -1.3, -0.4, 0.3]
        #expect(Backtest.zRulePositions(z: z, threshold: 1.2) == [0, -1, -1, -1, 0, 1, 1, 0])
        let p = [0.9, 0.2, 0.2, 0.9, 0.9, 0.1, 0.1, 0.1]
        #expect(Backtest.modelPositions(probabilities: p, z: z, threshold: 0.5, entryZ: 0) == [-1, -1, -1, -1, 1, 1, 1, 0])
        // With the label's stretch as the entry bar, unstretched bars never open a position.
        #expect(Backtest.modelPositions(probabilities: p, z: z, threshold: 0.5, entryZ: 1.2) == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(Backtest.modelPositions(probabilities: [0.9, 0.9, 0.9], z: [0.5, 1.5, 0.8], threshold: 0.5, entryZ: 1.2) == [0, -1, -1])
    }
}
