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
import Tracking

struct Select: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Choose the pairs to deploy from the latest training run, with explicit guardrails.",
        discussion: """
            A pair is kept when, after costs, it made at least --min-trades out-of-fold trades with \
            an out-of-fold Sharpe above --sharpe-min and a max drawdown ≤ --maxdd-max, its Deflated \
            Sharpe Ratio (for every trial of the run) is at least --dsr-min, and its Sharpe on the \
            holdout, which no choice saw, is above --holdout-sharpe-min. --auc-min adds an AUC \
            floor; AUC alone never selects. A pair whose calibration would invert its ranking is \
            anti-predictive and refused. A run whose screen saw the scored bars is in sample: every \
            pair is refused. The best --top-k by out-of-fold Sharpe are selected. --no-guardrails \
            drops every rule and records the selection as made without guardrails. Every decision \
            and its reason go to the store and to <data-dir>/training/selection.json.
            """
    )

    @OptionGroup var location: LocationOptions
    @OptionGroup var rules: SelectionOptions
    @OptionGroup(title: "MLflow") var tracking: TrackingOptions
    @Option(help: ArgumentHelp("Keep at most this many pairs.", valueName: "k"), transform: NumberRule.topK.parse)
    var topK = SelectionRules().topK

    func run() throws {
        // Never beside a pipeline or another batch stage over the same data directory.
        try location.locations.holdingBatchLock("mntrading select") { try runHoldingLock() }
    }

    private func runHoldingLock() throws {
        location.bootstrapLogging()
        let locations = location.locations
        var rules = self.rules.rules
        rules.topK = topK
        let store = try locations.openProjectStore()
        let (result, path) = try SelectStage(store: store, locations: locations).run(rules: rules)
        if let warning = result.warning { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        if let inSample = result.inSample {
            FileHandle.standardError.write(Data("warning: out-of-fold figures are in sample: \(inSample)\n".utf8))
        }
        for decision in result.decisions {
            print("  \(decision.selected ? "keep" : "drop") \(decision.pair): \(decision.reason)")
        }
        print(
            "select: \(result.selected.count) of \(result.decisions.count) pairs selected, \(result.trials) trials"
                + (result.pbo.map { String(format: ", PBO %.2f", $0) } ?? "") + PeriodFigures.portfolio(result)
                + " → \(path)")
        try tracking.log(store) { [try TrackedEntries.selection(result, path: path, experiment: tracking.experiment)] }
    }
}
