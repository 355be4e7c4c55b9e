import CLISupport
import ArgumentParser
import Foundation
import ModelFormat
import MarketData
import PairResearch
import Portfolio
import Training
import Basics
import DevTools
import TrainingRecords

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay the latest training run's out-of-fold bars with other thresholds or costs.",
        discussion: """
            A signal at the close of bar t is filled --fill-delay bars later and then earns each bar's \
            spread increment Δln A − β·Δln B (β known at t), per unit of gross notional; fees and \
            slippage are paid on every change of position, on both legs. --signals-from oof uses the calibrated OOF \
            probabilities (≥ --proba-threshold: trade against the stretch); z uses the plain z rule.
            """
    )

    @OptionGroup var location: LocationOptions
    @Option(help: "oof (model) or z (plain z rule).") var signalsFrom: SignalSource = .oof
    @Option(
        help: ArgumentHelp("Calibrated probability at which a position is taken.", valueName: "p"),
        transform: NumberRule.fraction.parse) var probaThreshold = TrainingSettings().probaThreshold
    @Option(
        help: ArgumentHelp("|z| at which the z rule trades.", valueName: "z"), transform: NumberRule.zThreshold.parse)
    var zscoreThreshold = TrainingSettings().zRuleThreshold
    @OptionGroup(title: "Execution") var execution: ExecutionOptions

    func run() throws {
        // Never beside a pipeline or another batch stage over the same data directory.
        try location.locations.holdingBatchLock("mntrading backtest") { try runHoldingLock() }
    }

    private func runHoldingLock() throws {
        location.bootstrapLogging()
        let locations = location.locations
        let (report, path) = try BacktestStage(store: try locations.openProjectStore(), locations: locations)
            .run(
                signals: signalsFrom, probaThreshold: probaThreshold, zThreshold: zscoreThreshold,
                execution: execution.execution)
        for pair in report.pairs {
            let r = pair.result
            print(
                "  \(pair.pair): "
                    + String(
                        format: "return %.2f%%, Sharpe %.2f, max DD %.2f%%, trades %d, turnover %.3f",
                        r.cumulativeReturn * 100, r.sharpe, r.maxDrawdown * 100, r.trades, r.turnover))
        }
        let portfolio =
            report.portfolio.map {
                String(format: "portfolio Sharpe %.2f, return %.2f%%", $0.sharpe, $0.cumulativeReturn * 100)
            } ?? "no bars"
        print("backtest (\(signalsFrom.rawValue)): \(report.pairs.count) pairs, \(portfolio) → \(path)")
    }
}
