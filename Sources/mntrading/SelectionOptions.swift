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

/// The selection guardrails, for `select` and `pipeline`.
struct SelectionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("Out-of-fold Sharpe after costs must exceed this.", valueName: "s"),
        transform: NumberRule.sharpe.parse) var sharpeMin = SelectionRules().sharpeMin!
    @Option(
        help: ArgumentHelp("Fewest out-of-fold trades.", valueName: "n"),
        transform: NumberRule.whole(0...1_000_000_000).parse) var minTrades = SelectionRules().minTrades!
    @Option(
        help: ArgumentHelp("Smallest Deflated Sharpe Ratio (0–1).", valueName: "p"),
        transform: NumberRule.fraction.parse) var dsrMin = SelectionRules().deflatedSharpeMin!
    @Option(
        help: ArgumentHelp("Holdout Sharpe after costs must exceed this.", valueName: "s"),
        transform: NumberRule.sharpe.parse) var holdoutSharpeMin = SelectionRules().holdoutSharpeMin!
    @Option(
        help: ArgumentHelp("Largest out-of-fold max drawdown (fraction).", valueName: "dd"),
        transform: NumberRule.drawdown.parse) var maxddMax = SelectionRules().maxDrawdownMax!
    @Option(
        help: ArgumentHelp("Optional floor on out-of-fold ROC-AUC.", valueName: "auc"),
        transform: NumberRule.fraction.parse) var aucMin: Double?
    @Flag(help: "Select every trained pair, weak and in-sample ones included; recorded as selected without guardrails.")
    var noGuardrails = false

    func validate() throws {
    }

    var rules: SelectionRules {
        guard !noGuardrails else { return .none }
        var rules = SelectionRules()
        rules.sharpeMin = sharpeMin
        rules.minTrades = minTrades
        rules.deflatedSharpeMin = dsrMin
        rules.holdoutSharpeMin = holdoutSharpeMin
        rules.maxDrawdownMax = maxddMax
        rules.aucMin = aucMin
        return rules
    }
}
