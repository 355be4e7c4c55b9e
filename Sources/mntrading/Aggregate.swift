import Basics
import ArgumentParser
import CLISupport
import Foundation
import MarketData
import ModelFormat
import Portfolio

struct Aggregate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn the newest stored signals into orders (what every inference cycle does).",
        discussion: """
            Takes the signals of the newest scored bar, keeps those at or above --min-proba, the --top-k \
            most probable, weights them by --scheme, splits each pair into its two legs (A and β·B on \
            opposite sides), nets exposures per symbol and scales whole pairs down to the caps. Writes \
            table orders and <data-dir>/portfolio/orders_<bar>.json|csv and latest_orders.json atomically.

            Example:
              mntrading aggregate --min-proba 0.6 --top-k 5 --scheme inverse_vol --equity 50000
            """
    )

    @OptionGroup var location: LocationOptions
    @OptionGroup(title: "Aggregation") var aggregation: AggregationOptions

    @Option(
        help: ArgumentHelp(
            "Signals of this model version (default: the version the newest inference cycle was served, as its /metadata said).",
            valueName: "n"), transform: NumberRule.whole(1...Int(Int32.max)).parse)
    var modelVersion: Int?

    @OptionGroup var lock: CycleLockOptions

    func run() throws {
        location.bootstrapLogging()
        let locations = location.locations
        let store = try locations.openProjectStore()
        let (latest, book, written) = try lock.whileHolding(locations) {
            guard
                let latest = try SignalRecords.latestServed(
                    modelVersion: modelVersion, store: store, locations: locations)
            else {
                throw ValidationError(
                    "no signals in the store\(modelVersion.map { " for model version \($0)" } ?? ""); run `mntrading-infer --once` first"
                )
            }
            let book = Aggregator.aggregate(
                latest.signals, asOf: latest.asOf, parameters: aggregation.parameters, stale: latest.stale)
            return (latest, book, try OrderFiles.write(book, store: store, locations: locations))
        }
        print(
            "aggregate \(book.asOfUtc): \(latest.signals.count) signals → \(book.orders.count) orders for \(Set(book.orders.map(\.pair)).count) pairs, "
                + "gross \(String(format: "%.2f", book.totals.gross)), net \(String(format: "%.2f", book.totals.net))\(book.capped ? " (capped)" : "") → \(written)"
        )
    }
}
