import ArgumentParser
import Basics
import CLISupport
import ModelFormat

/// How a signal becomes a fill, after costs: `train`, `backtest` and `pipeline` take the same flags.
struct ExecutionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("Fee per unit of notional traded, per leg.", valueName: "rate"),
        transform: NumberRule.feeRate.parse) var feeRate = Execution().feeRate
    @Option(
        help: ArgumentHelp("Slippage per leg, in basis points.", valueName: "bps"),
        transform: NumberRule.slippageBps.parse) var slippageBps = Execution().slippageBps
    @Option(
        help: ArgumentHelp("Bars between a signal's close and its fill.", valueName: "bars"),
        transform: NumberRule.fillDelay.parse) var fillDelay = Execution().delayBars

    var execution: Execution { Execution(feeRate: feeRate, slippageBps: slippageBps, delayBars: fillDelay) }

    func validate() throws {
        try asUsageError { try execution.validate() }
    }
}
