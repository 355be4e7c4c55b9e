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

extension Calibration.Method: ExpressibleByArgument {}
extension SignalSource: ExpressibleByArgument {}

/// Stops long work after the current unit on SIGINT/SIGTERM, so the store stays consistent.
enum Interruption {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0
    // nonisolated(unsafe): written only by the signal handler (an atomic sig_atomic_t store), read by polling.

    static func install() {
        signal(SIGINT) { _ in Interruption.flag = 1 }
        signal(SIGTERM) { _ in Interruption.flag = 1 }
    }

    static var requested: Bool { flag != 0 }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train one classifier per pair: walk-forward CV, calibration, OOF backtest, champion.",
        discussion: """
            Uses the latest dataset (`mntrading dataset`). The last --holdout-days are the holdout: \
            no choice sees them. Before it, every candidate model (gbdt ×2, rf, logistic) of every \
            pair is cross-validated walk-forward: exactly --n-splits scored folds, each fitted on at \
            least --min-train-rows past rows, with an embargo of --gap bars and the label horizon \
            purged before every validation and test slice. Each fold's probabilities are calibrated \
            by what the folds before it predicted. The champion is the candidate whose out-of-fold \
            trading earned the best Sharpe after costs (a signal fills --fill-delay bars after the \
            close that produced it, paying --fee-rate and --slippage-bps per leg); it is refitted on \
            everything before the holdout and run once over it. Every candidate × pair is a trial: \
            each pair's Deflated Sharpe Ratio counts them all, and the run's Probability of Backtest \
            Overfitting (CSCV) is computed over them. Writes <data-dir>/training/report.json and \
            records the run in the store. Ctrl-C stops after the current pair.
            """
    )

    @OptionGroup var location: LocationOptions

    @Option(help: ArgumentHelp("Walk-forward folds.", valueName: "n")) var nSplits = CrossValidation().splits
    @Option(help: ArgumentHelp("Embargo bars between training data and each test fold.", valueName: "bars")) var gap = CrossValidation().gap
    @Option(help: ArgumentHelp("Fewest rows any fold's model is fitted on.", valueName: "rows")) var minTrainRows = CrossValidation().minTrainRows
    @Option(help: ArgumentHelp("Final days no choice sees, scored once at the end (0: none; select then refuses).", valueName: "days")) var holdoutDays = TrainingSettings().holdoutDays
    @Option(help: ArgumentHelp("Bars between a signal's close and its fill.", valueName: "bars")) var fillDelay = Execution().delayBars
    @Option(help: ArgumentHelp("Sliding window: at most this many training rows (default: expanding).", valueName: "rows")) var maxTrainSize: Int?
    @Option(help: ArgumentHelp("Stop boosting after this many rounds without improvement.", valueName: "rounds")) var earlyStoppingRounds = FitSettings().earlyStoppingRounds
    @Option(help: ArgumentHelp("Upper bound on boosting rounds.", valueName: "rounds")) var maxRounds = FitSettings().maxRounds
    @Option(help: "Probability calibration: platt, isotonic or none (monotone; fitted on earlier folds' predictions only).") var calibration = TrainingSettings().calibration
    @Option(help: ArgumentHelp("Calibrated probability at which a position is taken.", valueName: "p")) var probaThreshold = TrainingSettings().probaThreshold
    @Option(help: ArgumentHelp("|z| at which the z-rule baseline trades.", valueName: "z")) var zscoreThreshold = TrainingSettings().zRuleThreshold
    @Option(help: ArgumentHelp("Fee per unit of notional traded, per leg.", valueName: "rate")) var feeRate = Execution().feeRate
    @Option(help: ArgumentHelp("Slippage per leg, in basis points.", valueName: "bps")) var slippageBps = Execution().slippageBps
    @Option(help: ArgumentHelp("Fewest labelled rows a pair needs.", valueName: "rows")) var minRows = TrainingSettings().minRows
    @Option(help: ArgumentHelp("Candidate kinds to try (default: all).", valueName: "gbdt,rf,logistic")) var kinds: String?
    @Option(help: ArgumentHelp("XGBoost threads (default: all cores).", valueName: "n")) var threads: Int?
    @Option(help: "Seed: the same seed and data give byte-identical models.") var seed = FitSettings().seed
    @Flag(help: .hidden) var timing = false

    func settings() throws -> TrainingSettings {
        var settings = TrainingSettings()
        settings.crossValidation.splits = nSplits
        settings.crossValidation.gap = gap
        settings.crossValidation.minTrainRows = minTrainRows
        settings.crossValidation.maxTrainSize = maxTrainSize
        settings.holdoutDays = holdoutDays
        settings.fit.earlyStoppingRounds = earlyStoppingRounds
        settings.fit.maxRounds = maxRounds
        settings.fit.seed = seed
        if let threads { settings.fit.threads = threads }
        settings.calibration = calibration
        settings.probaThreshold = probaThreshold
        settings.zRuleThreshold = zscoreThreshold
        settings.execution = Execution(feeRate: feeRate, slippageBps: slippageBps, delayBars: fillDelay)
        settings.minRows = minRows
        if let kinds {
            do {
                settings.candidates = try Candidate.grid(kinds: kinds)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        return settings
    }

    func validate() throws {
        let settings = try settings()
        try settings.crossValidation.validate()
        guard (0...1).contains(probaThreshold) else { throw ValidationError("--proba-threshold must be in [0, 1]") }
        if let problem = try settings.execution.validate() { throw ValidationError(problem) }
        guard holdoutDays >= 0 else { throw ValidationError("--holdout-days must not be negative") }
        guard earlyStoppingRounds >= 1, maxRounds >= 1 else { throw ValidationError("--early-stopping-rounds and --max-rounds must be at least 1") }
        if let threads { guard threads >= 1 else { throw ValidationError("--threads must be at least 1") } }
        guard !settings.candidates.isEmpty else { throw ValidationError("--kinds selects no candidate") }
    }

    func run() throws {
        location.bootstrapLogging()
        Interruption.install()
        let locations = location.locations
        let started = DispatchTime.now().uptimeNanoseconds
        TimeAccount.xgboost.reset()
        TimeAccount.honesty.reset()
        let (report, path) = try TrainStage(store: try locations.openProjectStore(), locations: locations)
            .run(settings: try settings(), progress: .terminal(), shouldStop: { Interruption.requested })
        for entry in report.pairs {
            if entry.status != "trained" {
                print("  \(entry.pair): skipped (\(entry.reason ?? "?"))")
                continue
            }
            print("  \(entry.pair): \(entry.champion?.name ?? "?"), " + PeriodFigures.line(entry))
        }
        let trained = report.pairs.filter { $0.status == "trained" }.count
        let portfolio = report.portfolio.map { String(format: ", portfolio OOF Sharpe %.2f", $0.sharpe) } ?? ""
        let holdout = report.portfolioHoldout.map { String(format: ", holdout Sharpe %.2f", $0.sharpe) } ?? ""
        let pbo = report.pbo.map { String(format: ", PBO %.2f", $0.pbo) } ?? ""
        print("train: \(trained)/\(report.pairs.count) pairs trained, \(report.trials) trials\(pbo)\(portfolio)\(holdout) (after costs; \(report.execution)) → \(path)")
        if let inSample = report.timeline.inSampleReason { print("note: out-of-fold figures are in sample: \(inSample)") }
        if timing {
            // For scripts/bench-train.sh: our time vs XGBoost's, and a fingerprint of every model's bytes.
            let total = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let xgboost = TimeAccount.xgboost.seconds
            let honesty = TimeAccount.honesty.seconds
            var hash = FNV1a()
            for entry in report.pairs { hash.add(entry.pair); hash.add(entry.modelFingerprint ?? "") }
            print(String(format: "timing: total %.3f s, xgboost %.3f s, plumbing %.3f s (%.1f%% of xgboost)", total, xgboost,
                         total - xgboost, (total - xgboost) / max(xgboost, 1e-9) * 100) + ", models \(hash.hex)")
            print(String(format: "timing: honesty machinery %.3f s = %.1f%% on top of the rest (%.3f s)", honesty,
                         honesty / max(total - honesty, 1e-9) * 100, total - honesty))
        }
        if Interruption.requested { throw ExitCode(130) }
    }
}

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
    @Option(help: ArgumentHelp("Keep at most this many pairs.", valueName: "k")) var topK = SelectionRules().topK

    func validate() throws { guard topK >= 1 else { throw ValidationError("--top-k must be at least 1") } }

    func run() throws {
        location.bootstrapLogging()
        let locations = location.locations
        var rules = self.rules.rules
        rules.topK = topK
        let (result, path) = try SelectStage(store: try locations.openProjectStore(), locations: locations).run(rules: rules)
        if let warning = result.warning { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        if let inSample = result.inSample { FileHandle.standardError.write(Data("warning: out-of-fold figures are in sample: \(inSample)\n".utf8)) }
        for decision in result.decisions {
            print("  \(decision.selected ? "keep" : "drop") \(decision.pair): \(decision.reason)")
        }
        print("select: \(result.selected.count) of \(result.decisions.count) pairs selected, \(result.trials) trials"
              + (result.pbo.map { String(format: ", PBO %.2f", $0) } ?? "") + PeriodFigures.portfolio(result) + " → \(path)")
    }
}

/// The selection guardrails, for `select` and `pipeline`.
struct SelectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Out-of-fold Sharpe after costs must exceed this.", valueName: "s")) var sharpeMin = SelectionRules().sharpeMin!
    @Option(help: ArgumentHelp("Fewest out-of-fold trades.", valueName: "n")) var minTrades = SelectionRules().minTrades!
    @Option(help: ArgumentHelp("Smallest Deflated Sharpe Ratio (0–1).", valueName: "p")) var dsrMin = SelectionRules().deflatedSharpeMin!
    @Option(help: ArgumentHelp("Holdout Sharpe after costs must exceed this.", valueName: "s")) var holdoutSharpeMin = SelectionRules().holdoutSharpeMin!
    @Option(help: ArgumentHelp("Largest out-of-fold max drawdown (fraction).", valueName: "dd")) var maxddMax = SelectionRules().maxDrawdownMax!
    @Option(help: ArgumentHelp("Optional floor on out-of-fold ROC-AUC.", valueName: "auc")) var aucMin: Double?
    @Flag(help: "Select every trained pair, weak and in-sample ones included; recorded as selected without guardrails.") var noGuardrails = false

    func validate() throws {
        guard (0...1).contains(dsrMin) else { throw ValidationError("--dsr-min must be in [0, 1]") }
        guard minTrades >= 0 else { throw ValidationError("--min-trades must not be negative") }
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

/// One line per pair and for the portfolio: the three periods side by side.
enum PeriodFigures {
    static func line(_ entry: PairReportEntry) -> String {
        let screen = entry.screen?.pvalue.map { String(format: "screen p %.3g", $0) } ?? "screen -"
        let oof = entry.backtest.map { String(format: "OOF Sharpe %.2f (%d trades)", $0.sharpe, $0.trades) } ?? "OOF -"
        let dsr = entry.deflatedSharpe.map { String(format: "DSR %.2f", $0) } ?? "DSR -"
        let holdout = entry.holdout.map { String(format: "holdout Sharpe %.2f (%d trades)", $0.sharpe, $0.trades) } ?? "holdout -"
        let auc = entry.oofRocAuc.map { String(format: "OOF AUC %.3f", $0) } ?? "OOF AUC -"
        let checked = entry.rescreens + [entry.holdoutRescreen].compactMap { $0 }
        let rescreened = checked.isEmpty ? "" : ", re-screened \(checked.filter { $0.passed != false }.count)/\(checked.count) passed"
        return [screen, oof, dsr, holdout, auc].joined(separator: ", ") + rescreened + (entry.antiPredictive ? ", anti-predictive" : "")
            + (entry.calibrationWarning.map { " (\($0))" } ?? "")
    }

    static func portfolio(_ result: SelectionResult) -> String {
        guard !result.selected.isEmpty else { return "" }
        let oof = result.portfolio.map { String(format: "; portfolio OOF Sharpe %.2f", $0.sharpe) } ?? ""
        let dsr = result.portfolioDeflatedSharpe.map { String(format: ", DSR %.2f", $0) } ?? ""
        let holdout = result.portfolioHoldout.map { String(format: ", holdout Sharpe %.2f", $0.sharpe) } ?? ""
        return oof + dsr + holdout
    }
}

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
    @Option(help: ArgumentHelp("Calibrated probability at which a position is taken.", valueName: "p")) var probaThreshold = TrainingSettings().probaThreshold
    @Option(help: ArgumentHelp("|z| at which the z rule trades.", valueName: "z")) var zscoreThreshold = TrainingSettings().zRuleThreshold
    @Option(help: ArgumentHelp("Fee per unit of notional traded, per leg.", valueName: "rate")) var feeRate = Execution().feeRate
    @Option(help: ArgumentHelp("Slippage per leg, in basis points.", valueName: "bps")) var slippageBps = Execution().slippageBps
    @Option(help: ArgumentHelp("Bars between a signal's close and its fill.", valueName: "bars")) var fillDelay = Execution().delayBars

    func run() throws {
        location.bootstrapLogging()
        let locations = location.locations
        let (report, path) = try BacktestStage(store: try locations.openProjectStore(), locations: locations)
            .run(signals: signalsFrom, probaThreshold: probaThreshold, zThreshold: zscoreThreshold,
                 execution: Execution(feeRate: feeRate, slippageBps: slippageBps, delayBars: fillDelay))
        for pair in report.pairs {
            let r = pair.result
            print("  \(pair.pair): " + String(format: "return %.2f%%, Sharpe %.2f, max DD %.2f%%, trades %d, turnover %.3f",
                                              r.cumulativeReturn * 100, r.sharpe, r.maxDrawdown * 100, r.trades, r.turnover))
        }
        let portfolio = report.portfolio.map { String(format: "portfolio Sharpe %.2f, return %.2f%%", $0.sharpe, $0.cumulativeReturn * 100) } ?? "no bars"
        print("backtest (\(signalsFrom.rawValue)): \(report.pairs.count) pairs, \(portfolio) → \(path)")
    }
}

/// Hidden: ONNX members of the latest training run with check data, for scripts/check-onnx.py.
struct ExportMembers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-members", abstract: "Write the latest run's models as ONNX with check data (for scripts/check-onnx.py).",
        shouldDisplay: false)

    @OptionGroup var location: LocationOptions
    @Option(help: "Directory for <pair>.onnx and <pair>.check.json.") var out: String

    func run() throws {
        let files = try MemberExport(store: try location.locations.openProjectStore()).write(to: out)
        for file in files { print(file) }
    }
}

/// Hidden: the Deflated Sharpe Ratio, trial clusters and PBO of given return series, for
/// scripts/check-trial-statistics.py to compare with an independent implementation.
struct TrialStatisticsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trial-stats", abstract: "DSR, trial clusters and PBO of return series given as JSON (for checks).", shouldDisplay: false)

    @Option(help: "JSON: a list of cases {\"trials\": [[returns]…], \"returns\": [returns], \"independent_trials\": n}.") var input: String

    struct Case: Decodable {
        var trials: [[Double]]
        var returns: [Double]
        var independentTrials: Int
    }

    func run() throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let cases = try decoder.decode([Case].self, from: Data(contentsOf: URL(fileURLWithPath: input)))
        let results: [[String: Any]] = cases.map { item in
            let pbo = BacktestOverfitting.estimate(item.trials)
            return ["dsr": DeflatedSharpe.ratio(returns: item.returns, independentTrials: item.independentTrials) ?? NSNull(),
                    "pbo": pbo?.pbo ?? NSNull(), "clusters": TrialClusters.count(item.trials)]
        }
        print(String(decoding: try JSONSerialization.data(withJSONObject: results), as: UTF8.self))
    }
}
