import ArgumentParser
import CLISupport
import Foundation
import MarketData
import ModelFormat
import Portfolio

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the portfolio report for the newest signals and orders (what every inference cycle does).",
        discussion: """
            <data-dir>/portfolio/report_<bar>/ gets summary.json, report.md and a self-contained \
            report.html (inline SVG: out-of-fold equity and drawdown of the portfolio and of each pair, \
            exposures, latest signals, orders, model version and training window).
            """
    )

    @OptionGroup var location: LocationOptions
    @OptionGroup var lock: CycleLockOptions

    func run() throws {
        location.bootstrapLogging()
        let locations = location.locations
        let store = try locations.openProjectStore()
        let (data, directory) = try lock.whileHolding(locations) {
            // The model description the last cycle got from the server, when there was one.
            let model = SignalFiles.servedModel(locations)
            guard
                let latest = try SignalRecords.latestServed(
                    modelVersion: model?.version, store: store, locations: locations)
            else {
                throw ValidationError("no signals in the store; run `mntrading-infer --once` first")
            }
            let matching = model?.version == latest.signals.first?.modelVersion ? model : nil
            let data = try ReportData.load(
                store: store, locations: locations, model: matching, dataSource: "exchange", latest: latest)
            return (data, try ReportWriter.write(data, locations: locations))
        }
        print("report \(UTCTime.format(data.asOf)) → \(directory)/report.html")
    }
}
