import CLISupport
import ArgumentParser
import Foundation
import MarketData
import PairResearch
import Basics
import DevTools

struct Screen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find cointegrated pairs: Engle–Granger on every symbol pair in the store.",
        discussion: """
            Tests log prices of every pair of symbols with bars at --timeframe (or of --symbols), in both directions (A regressed \
            on B and B on A), and keeps the direction with the smaller p-value. A pair is selected when \
            the correlation of log returns ≥ --corr-min, the p-value ≤ --pvalue-max and the spread's \
            half-life (bars) ≤ --half-life-max; the best --top-k by p-value are kept. Writes the run to \
            the store and to <data-dir>/pairs/screened_pairs_<UTC>.json, with the reason for every \
            pair left out. Uses all cores.
            """
    )

    @OptionGroup var location: LocationOptions

    @Option(help: "Bar length to screen on.")
    var timeframe: String = "1h"

    @Option(
        help: ArgumentHelp("Fewest common bars a pair needs.", valueName: "n"),
        transform: NumberRule.whole(10...1_000_000_000, unit: "bars").parse)
    var minSamples = ScreeningParameters().minSamples

    @Option(
        help: ArgumentHelp("Smallest correlation of log returns.", valueName: "r"),
        transform: NumberRule.number(-1...1).parse)
    var corrMin = ScreeningParameters().corrMin

    @Option(
        help: ArgumentHelp("Largest Engle–Granger p-value (MacKinnon 1994).", valueName: "p"),
        transform: NumberRule.pvalue.parse)
    var pvalueMax = ScreeningParameters().pvalueMax

    @Option(
        help: ArgumentHelp("Largest half-life of the spread, in bars (default: no limit).", valueName: "bars"),
        transform: NumberRule.number(above: 0, atMost: 1e9, unit: "bars").parse)
    var halfLifeMax: Double?

    @Option(help: ArgumentHelp("Keep at most this many pairs.", valueName: "k"), transform: NumberRule.topK.parse)
    var topK = ScreeningParameters().topK

    @Option(
        help: ArgumentHelp("Largest ADF lag (default: 12·(n/100)^¼ as statsmodels).", valueName: "lags"),
        transform: NumberRule.whole(0...1_000).parse)
    var maxLag: Int?

    @Option(help: "ADF lag choice: aic, bic, t-stat or fixed (= --max-lag).")
    var autolag: LagSelection = .aic

    @Option(
        help: ArgumentHelp(
            "Comma-separated symbols to pair up (default: every symbol with bars at --timeframe in the store).",
            valueName: "A,B,…"))
    var symbols: String?

    @Option(help: ArgumentHelp("Only bars from this time (ISO-8601 UTC or epoch ms).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only bars up to this time.", valueName: "time"))
    var until: String?

    func validate() throws { try asUsageError { try parameters().validate() } }

    func parameters() throws -> ScreeningParameters {
        var parameters = ScreeningParameters()
        parameters.timeframe = try parseTimeframe(timeframe)
        parameters.minSamples = minSamples
        parameters.corrMin = corrMin
        parameters.pvalueMax = pvalueMax
        parameters.halfLifeMax = halfLifeMax
        parameters.topK = topK
        parameters.maxLag = maxLag
        parameters.lagSelection = autolag
        parameters.since = try since.map { try parseTime($0, flag: "--since") }
        parameters.until = try until.map { try parseTime($0, flag: "--until") }
        parameters.symbols = try symbols.map { try parseSymbols($0) }
        if autolag == .fixed && maxLag == nil { throw ValidationError("--autolag fixed needs --max-lag") }
        return parameters
    }

    func run() throws {
        // Never beside a pipeline or another batch stage over the same data directory.
        try location.locations.holdingBatchLock("mntrading screen") { try runHoldingLock() }
    }

    private func runHoldingLock() throws {
        location.bootstrapLogging()
        let parameters = try parameters()
        let locations = location.locations
        let (run, path) = try ScreeningStage(store: try locations.openProjectStore(), locations: locations)
            .run(parameters, progress: .terminal())
        for pair in run.pairs {
            let halfLife = pair.halfLife.map { String(format: "%.1f", $0) } ?? "∞"
            print(
                "  \(pair.pair)  "
                    + String(
                        format: "β %.4f  ADF %.3f  p %.2e  lags %d", pair.beta ?? .nan,
                        pair.adfStat ?? -.infinity, pair.pvalue ?? .nan, pair.lags ?? 0)
                    + "  half-life \(halfLife) bars  " + String(format: "corr %.2f", pair.corr ?? .nan))
        }
        let removed = run.rejectionSummary
        print(
            "screen \(parameters.timeframe): \(run.symbols.count) symbols, \(run.pairsTested) pairs tested, \(run.pairs.count) selected"
                + (removed.isEmpty ? "" : " (removed: \(removed))") + " → \(path)")
    }
}
