import CLISupport
import ArgumentParser
import Foundation
import MarketData
import PairResearch
import Basics
import DevTools

struct Dataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Label the feature rows for training (labels defined in the README).",
        discussion: """
            z_threshold (default) labels the stretched bars (|z| ≥ --zscore-threshold): 1 when the \
            spread of a position opened there (β and α frozen at the bar) is closer to the mean \
            --horizon bars later. trade_outcome labels the same bars 1 when the trade taken there \
            (held until z crosses zero or --horizon bars pass) pays after --fee-rate on entry and exit. \
            revert_direction = every bar, 1 when the spread moves toward the mean; vol_scaled = 1 when \
            it moves toward the mean by more than --vol-k·σ̂·√horizon. Inputs are the row's features, \
            |z|, sign(z)·z_long, plus --lag-features lagged copies of z and z velocity. \
            Bars whose future is not known yet have no label.
            """
    )

    @OptionGroup var location: LocationOptions

    @Option(help: "Bar length of the features.")
    var timeframe: String = "5m"

    @OptionGroup var label: LabelOptions

    @Option(
        help: ArgumentHelp("|z| that counts as stretched (trade_outcome, z_threshold).", valueName: "z"),
        transform: NumberRule.zThreshold.parse)
    var zscoreThreshold = DatasetDefinition().zscoreThreshold

    @Option(
        help: ArgumentHelp(
            "Fee per unit of notional per leg, charged on entry and exit by trade_outcome.", valueName: "rate"),
        transform: NumberRule.feeRate.parse)
    var feeRate = DatasetDefinition().feeRate

    @Option(
        help: ArgumentHelp("k in the vol_scaled threshold k·σ̂·√horizon.", valueName: "k"),
        transform: NumberRule.number(0...100).parse)
    var volK = DatasetDefinition().volK

    @Option(
        help: ArgumentHelp("'latest' (the newest screening run) or a JSON file of pairs.", valueName: "latest|file"))
    var pairs: String = "latest"

    var definition: DatasetDefinition {
        get throws {
            var definition = DatasetDefinition()
            definition.timeframe = try parseTimeframe(timeframe)
            label.apply(to: &definition)
            definition.zscoreThreshold = zscoreThreshold
            definition.volK = volK
            definition.feeRate = feeRate
            return definition
        }
    }

    func validate() throws { try asUsageError { try definition.validate() } }

    func run() throws {
        // Never beside a pipeline or another batch stage over the same data directory.
        try location.locations.holdingBatchLock("mntrading dataset") { try runHoldingLock() }
    }

    private func runHoldingLock() throws {
        location.bootstrapLogging()
        let definition = try self.definition
        let store = try location.locations.openProjectStore()
        let summary = try DatasetStage(store: store).build(
            definition, pairs: try ScreenedPairs.resolve(pairs, store: store),
            screeningRun: try ScreenedPairs.screeningRun(pairs, store: store))
        for entry in summary.perPair {
            let rate =
                entry.labelled > 0
                ? String(format: "%.1f%%", 100 * Double(entry.positives) / Double(entry.labelled)) : "-"
            print("  \(entry.pair): \(entry.rows) rows, \(entry.labelled) labelled, positive \(rate)")
        }
        let rate = summary.positiveRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
        print(
            "dataset \(summary.datasetId) (\(label.labelType.rawValue), \(definition.featureNames.count) features): \(summary.pairs) pairs, \(summary.rows) rows, \(summary.labelledRows) labelled, positive rate \(rate)"
        )
    }
}
