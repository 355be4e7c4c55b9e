import CLISupport
import ArgumentParser
import Foundation
import MarketData
import PairResearch
import Basics
import DevTools

struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute pair features (rolling β, spread, z-score, …) into the store, incrementally.",
        discussion: """
            Per pair and bar, on log prices, using bars at or before that bar only: rolling OLS β and α \
            over --beta-window bars, spread ln A − (β ln B + α), its z-score over --z-window, z velocity \
            and acceleration, spread volatility, rolling AR(1) half-life, and volume ratios. Rows exist \
            where both legs have a bar, after the windows are full. Rerunning appends only the new bars' \
            rows, which equal a full rebuild's exactly; --rebuild recomputes everything.
            """
    )

    @OptionGroup var location: LocationOptions

    @Option(help: "Bar length.")
    var timeframe: String = "5m"

    @OptionGroup var windows: FeatureOptions

    @Option(
        help: ArgumentHelp("'latest' (the newest screening run) or a JSON file of pairs.", valueName: "latest|file"))
    var pairs: String = "latest"

    @Flag(help: "Recompute every row instead of appending new ones.")
    var rebuild = false

    func validate() throws {
        try asUsageError {
            _ = try parseTimeframe(timeframe)
        }
    }

    func run() throws {
        // Never beside a pipeline or another batch stage over the same data directory.
        try location.locations.holdingBatchLock("mntrading features") { try runHoldingLock() }
    }

    private func runHoldingLock() throws {
        location.bootstrapLogging()
        let store = try location.locations.openProjectStore()
        let selection = try ScreenedPairs.resolve(pairs, store: store)
        let updates = try FeatureStage(store: store).update(
            pairs: selection, timeframe: try parseTimeframe(timeframe),
            parameters: windows.parameters, rebuild: rebuild,
            progress: .terminal())
        for update in updates {
            let how = update.rebuilt ? "rebuilt" : "appended"
            print(
                "  \(update.pair): \(update.rowsWritten) rows \(how), \(update.totalRows) in store"
                    + (update.note.map { " (\($0))" } ?? ""))
        }
        let written = updates.reduce(0) { $0 + $1.rowsWritten }
        print("features \(timeframe): \(updates.count) pairs, \(written) rows written")
    }
}
