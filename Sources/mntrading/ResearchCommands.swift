import CLISupport
import ArgumentParser
import Foundation
import MarketData
import PairResearch
import Basics
import DevTools

extension LagSelection: ExpressibleByArgument {}
extension TrendTerm: ExpressibleByArgument {}
extension LabelType: ExpressibleByArgument {}

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

    @Option(help: ArgumentHelp("Fewest common bars a pair needs.", valueName: "n"))
    var minSamples: Int = 200

    @Option(help: ArgumentHelp("Smallest correlation of log returns.", valueName: "r"))
    var corrMin: Double = 0.3

    @Option(help: ArgumentHelp("Largest Engle–Granger p-value (MacKinnon 1994).", valueName: "p"))
    var pvalueMax: Double = 0.05

    @Option(help: ArgumentHelp("Largest half-life of the spread, in bars (default: no limit).", valueName: "bars"))
    var halfLifeMax: Double?

    @Option(help: ArgumentHelp("Keep at most this many pairs.", valueName: "k"))
    var topK: Int = 50

    @Option(help: ArgumentHelp("Largest ADF lag (default: 12·(n/100)^¼ as statsmodels).", valueName: "lags"))
    var maxLag: Int?

    @Option(help: "ADF lag choice: aic, bic, t-stat or fixed (= --max-lag).")
    var autolag: LagSelection = .aic

    @Option(help: ArgumentHelp("Comma-separated symbols to pair up (default: every symbol with bars at --timeframe in the store).", valueName: "A,B,…"))
    var symbols: String?

    @Option(help: ArgumentHelp("Only bars from this time (ISO-8601 UTC or epoch ms).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only bars up to this time.", valueName: "time"))
    var until: String?

    func run() throws {
        location.bootstrapLogging()
        var parameters = ScreeningParameters()
        parameters.timeframe = try Timeframe.parse(timeframe)
        parameters.minSamples = minSamples
        parameters.corrMin = corrMin
        parameters.pvalueMax = pvalueMax
        parameters.halfLifeMax = halfLifeMax
        parameters.topK = topK
        parameters.maxLag = maxLag
        parameters.lagSelection = autolag
        parameters.since = try since.map { try parseTime($0, flag: "--since") }
        parameters.until = try until.map { try parseTime($0, flag: "--until") }
        parameters.symbols = try symbols.map(Symbols.parseList)
        if autolag == .fixed && maxLag == nil { throw ValidationError("--autolag fixed needs --max-lag") }
        let locations = location.locations
        let (run, path) = try ScreeningStage(store: try locations.openProjectStore(), locations: locations)
            .run(parameters, progress: .terminal())
        for pair in run.pairs {
            let halfLife = pair.halfLife.map { String(format: "%.1f", $0) } ?? "∞"
            print("  \(pair.pair)  " + String(format: "β %.4f  ADF %.3f  p %.2e  lags %d", pair.beta ?? .nan,
                                                   pair.adfStat ?? -.infinity, pair.pvalue ?? .nan, pair.lags ?? 0)
                  + "  half-life \(halfLife) bars  " + String(format: "corr %.2f", pair.corr ?? .nan))
        }
        let removed = run.rejectionSummary
        print("screen \(parameters.timeframe): \(run.symbols.count) symbols, \(run.pairsTested) pairs tested, \(run.pairs.count) selected"
              + (removed.isEmpty ? "" : " (removed: \(removed))") + " → \(path)")
    }
}

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

    @Option(help: ArgumentHelp("Bars in the rolling β window.", valueName: "bars"))
    var betaWindow = FeatureParameters().betaWindow

    @Option(help: ArgumentHelp("Bars in the z-score window.", valueName: "bars"))
    var zWindow = FeatureParameters().zWindow

    @Option(help: ArgumentHelp("'latest' (the newest screening run) or a JSON file of pairs.", valueName: "latest|file"))
    var pairs: String = "latest"

    @Flag(help: "Recompute every row instead of appending new ones.")
    var rebuild = false

    func validate() throws {
        _ = try Timeframe.parse(timeframe)
        try FeatureParameters(betaWindow: betaWindow, zWindow: zWindow).validate()
    }

    func run() throws {
        location.bootstrapLogging()
        let store = try location.locations.openProjectStore()
        let selection = try ScreenedPairs.resolve(pairs, store: store)
        let updates = try FeatureStage(store: store).update(
            pairs: selection, timeframe: try Timeframe.parse(timeframe),
            parameters: FeatureParameters(betaWindow: betaWindow, zWindow: zWindow), rebuild: rebuild, progress: .terminal())
        for update in updates {
            let how = update.rebuilt ? "rebuilt" : "appended"
            print("  \(update.pair): \(update.rowsWritten) rows \(how), \(update.totalRows) in store" + (update.note.map { " (\($0))" } ?? ""))
        }
        let written = updates.reduce(0) { $0 + $1.rowsWritten }
        print("features \(timeframe): \(updates.count) pairs, \(written) rows written")
    }
}

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

    @Option(help: "z_threshold, trade_outcome, revert_direction or vol_scaled.")
    var labelType = DatasetDefinition().labelType

    @Option(help: ArgumentHelp("|z| that counts as stretched (trade_outcome, z_threshold).", valueName: "z"))
    var zscoreThreshold = DatasetDefinition().zscoreThreshold

    @Option(help: ArgumentHelp("Bars ahead the label looks (trade_outcome: the longest hold).", valueName: "bars"))
    var horizon = DatasetDefinition().horizon

    @Option(help: ArgumentHelp("Fee per unit of notional per leg, charged on entry and exit by trade_outcome.", valueName: "rate"))
    var feeRate = DatasetDefinition().feeRate

    @Option(help: ArgumentHelp("Lagged copies of z and z velocity.", valueName: "n"))
    var lagFeatures = DatasetDefinition().lagFeatures

    @Option(help: ArgumentHelp("k in the vol_scaled threshold k·σ̂·√horizon.", valueName: "k"))
    var volK = DatasetDefinition().volK

    @Option(help: ArgumentHelp("'latest' (the newest screening run) or a JSON file of pairs.", valueName: "latest|file"))
    var pairs: String = "latest"

    var definition: DatasetDefinition {
        get throws {
            var definition = DatasetDefinition()
            definition.timeframe = try Timeframe.parse(timeframe)
            definition.labelType = labelType
            definition.zscoreThreshold = zscoreThreshold
            definition.horizon = horizon
            definition.lagFeatures = lagFeatures
            definition.volK = volK
            definition.feeRate = feeRate
            return definition
        }
    }

    func validate() throws { try definition.validate() }

    func run() throws {
        location.bootstrapLogging()
        let definition = try self.definition
        let store = try location.locations.openProjectStore()
        let summary = try DatasetStage(store: store).build(definition, pairs: try ScreenedPairs.resolve(pairs, store: store),
                                                           screeningRun: try ScreenedPairs.screeningRun(pairs, store: store))
        for entry in summary.perPair {
            let rate = entry.labelled > 0 ? String(format: "%.1f%%", 100 * Double(entry.positives) / Double(entry.labelled)) : "-"
            print("  \(entry.pair): \(entry.rows) rows, \(entry.labelled) labelled, positive \(rate)")
        }
        let rate = summary.positiveRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
        print("dataset \(summary.datasetId) (\(labelType.rawValue), \(definition.featureNames.count) features): \(summary.pairs) pairs, \(summary.rows) rows, \(summary.labelledRows) labelled, positive rate \(rate)")
    }
}

/// Runs ADF and Engle–Granger on series from a JSON file: what `scripts/check-statsmodels.py`
/// compares with statsmodels, and a way to test any series by hand.
struct StatTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stat-test",
        abstract: "ADF / Engle–Granger on series given as JSON (for checks against statsmodels).",
        discussion: """
            Input: a JSON list of cases {"id", "kind": "adf"|"coint", "x": [...], "y": [...] (coint: y \
            regressed on x), "trend": "n"|"c"|"ct" (adf), "autolag": "aic"|"bic"|"t-stat"|"fixed", \
            "maxlag": n or null}. Output on stdout: one result per case.
            """
    )

    @Option(help: ArgumentHelp("JSON file of cases.", valueName: "path"))
    var input: String

    @Option(name: .customLong("repeat"), help: ArgumentHelp("Run every case this many times and report the median seconds (benchmarks).", valueName: "n"))
    var repetitions: Int = 1

    struct Case: Decodable {
        var id: String
        var kind: String
        var x: [Double]
        var y: [Double]?
        var trend: TrendTerm?
        var autolag: LagSelection?
        var maxlag: Int?
    }

    struct Result: Encodable {
        var id: String
        var statistic: Double?
        var pvalue: Double?
        var usedlag: Int?
        var nobs: Int?
        var crit: [Double]?
        var error: String?
        var secondsMedian: Double?
    }

    func run() throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: input)) } catch {
            throw ValidationError("cannot read '\(input)': \(error.localizedDescription)")
        }
        let cases = try JSONDecoder().decode([Case].self, from: data)
        guard repetitions >= 1 else { throw ValidationError("--repeat must be at least 1") }
        let results = cases.map { item -> Result in
            var result = Self.evaluate(item)
            if repetitions > 1 {
                var times: [Double] = []
                for _ in 0..<repetitions {
                    let start = DispatchTime.now().uptimeNanoseconds
                    _ = Self.evaluate(item)
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                }
                result.secondsMedian = times.sorted()[times.count / 2]
            }
            return result
        }
        FileHandle.standardOutput.write(try ProjectJSON.encoder(pretty: false).encode(results))
        print()
    }

    static func evaluate(_ item: Case) -> Result {
        do {
            switch item.kind {
            case "adf":
                let r = try augmentedDickeyFuller(item.x, maxLag: item.maxlag, trend: item.trend ?? .constant, lagSelection: item.autolag ?? .aic)
                return Result(id: item.id, statistic: r.statistic, pvalue: r.pValue, usedlag: r.usedLag, nobs: r.observations,
                              crit: [r.criticalValues.onePercent, r.criticalValues.fivePercent, r.criticalValues.tenPercent])
            case "coint":
                let r = try engleGranger(item.y ?? [], item.x, maxLag: item.maxlag, lagSelection: item.autolag ?? .aic)
                return Result(id: item.id, statistic: r.statistic.isFinite ? r.statistic : nil, pvalue: r.pValue,
                              usedlag: r.collinear ? nil : r.usedLag, nobs: r.observations,
                              crit: [r.criticalValues.onePercent, r.criticalValues.fivePercent, r.criticalValues.tenPercent])
            default:
                return Result(id: item.id, error: "unknown kind '\(item.kind)'")
            }
        } catch {
            return Result(id: item.id, error: "\(error)")
        }
    }
}

/// Hidden: the feature part of scripts/bench-research.sh.
struct BenchFeatures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-features", abstract: "Benchmark the feature stage (used by scripts/bench-research.sh).",
        shouldDisplay: false)

    @Option var pairs: Int = 50
    @Option var bars: Int = 100_000
    @Option(help: "Scratch directory for the store (deleted and recreated).") var scratch: String

    func run() throws {
        let timing = try FeatureBenchmark.run(pairs: pairs, bars: bars, scratchDirectory: scratch)
        print("features: \(timing.pairs) pairs x \(timing.bars) 5m bars (\(timing.rows) rows)")
        print(String(format: "  compute, one core       %7.3f s", timing.computeOneCore))
        print(String(format: "  compute, all cores      %7.3f s   (target <= 2 s)", timing.computeAllCores))
        print(String(format: "  compute + SQLite store  %7.3f s", timing.computeAndStore))
    }
}
