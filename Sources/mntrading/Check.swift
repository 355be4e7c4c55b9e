import CLISupport
import ArgumentParser
import Foundation
import HTTPClient
import Logging
import MarketData
import Basics

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report what the store holds: bars per symbol and timeframe, first/last bar, gaps.",
        discussion: "Exits 0 when there are no gaps and 3 when any series has gaps, so scripts can react."
    )

    @OptionGroup var location: LocationOptions

    @Option(help: "Only this timeframe.")
    var timeframe: String?

    func run() throws {
        location.bootstrapLogging()
        let filter = try timeframe.map(Timeframe.parse)
        let store = try location.locations.openProjectStore()
        let summaries = try store.summaries(timeframe: filter)
        guard !summaries.isEmpty else {
            print("the store \(store.path) holds no bars\(filter.map { " at \($0)" } ?? "")")
            return
        }
        var anyGaps = false
        for summary in summaries {
            let report = try store.gapReport(symbol: summary.symbol, timeframe: summary.timeframe)
            anyGaps = anyGaps || !report.isEmpty
            let gapText =
                report.isEmpty
                ? "no gaps" : "\(report.gaps) gaps, \(report.missingBars) missing, longest \(report.longestBars)"
            print(
                "\(summary.symbol) \(summary.timeframe): \(summary.count) bars, \(UTCTime.format(summary.firstOpenTime)) … \(UTCTime.format(summary.lastOpenTime)), \(gapText)"
            )
        }
        if anyGaps { throw ExitCode(3) }
    }
}
