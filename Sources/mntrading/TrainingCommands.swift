import CLISupport
import ArgumentParser
import Foundation
import ModelFormat
import MarketData
import PairResearch
import Portfolio
import Training

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
            Uses the latest dataset (`mntrading dataset`). For each pair, every candidate model (gbdt \
            ×2, rf, logistic) is cross-validated walk-forward: --n-splits folds, each trained on the \
            past only, with an embargo of --gap rows and the label horizon purged before every test \
            fold, and early stopping on the last slice of each training window. The champion (best \
            mean fold Sharpe after fees, then AUC) is calibrated on its out-of-fold predictions, \
            backtested out of fold against the plain z rule, and refitted on the whole window. \
            Writes <data-dir>/training/report.json and records the run in the store. Ctrl-C stops \
            after the current pair.
            """
    )

    @OptionGroup var location: LocationOptions

    @Option(help: ArgumentHelp("Walk-forward folds.", valueName: "n")) var nSplits = CrossValidation().splits
    @Option(help: ArgumentHelp("Embargo rows between training data and each test fold.", valueName: "rows")) var gap = CrossValidation().gap
    @Option(help: ArgumentHelp("Sliding window: at most this many training rows (default: expanding).", valueName: "rows")) var maxTrainSize: Int?
    @Option(help: ArgumentHelp("Stop boosting after this many rounds without improvement.", valueName: "rounds")) var earlyStoppingRounds = FitSettings().earlyStoppingRounds
    @Option(help: ArgumentHelp("Upper bound on boosting rounds.", valueName: "rounds")) var maxRounds = FitSettings().maxRounds
    @Option(help: "Probability calibration: platt, isotonic or none (fitted on out-of-fold predictions).") var calibration = TrainingSettings().calibration
    @Option(help: ArgumentHelp("Calibrated probability at which a position is taken.", valueName: "p")) var probaThreshold = TrainingSettings().probaThreshold
    @Option(help: ArgumentHelp("|z| at which the z-rule baseline trades.", valueName: "z")) var zscoreThreshold = TrainingSettings().zRuleThreshold
    @Option(help: ArgumentHelp("Fee per unit of notional traded, per leg.", valueName: "rate")) var feeRate = BacktestCosts().feeRate
    @Option(help: ArgumentHelp("Slippage per leg, in basis points.", valueName: "bps")) var slippageBps = BacktestCosts().slippageBps
    @Option(help: ArgumentHelp("Fewest labelled rows a pair needs.", valueName: "rows")) var minRows = TrainingSettings().minRows
    @Option(help: ArgumentHelp("Candidate kinds to try (default: all).", valueName: "gbdt,rf,logistic")) var kinds: String?
    @Option(help: ArgumentHelp("XGBoost threads (default: all cores).", valueName: "n")) var threads: Int?
    @Option(help: "Seed: the same seed and data give byte-identical models.") var seed = FitSettings().seed
    @Flag(help: .hidden) var timing = false

    func settings() throws -> TrainingSettings {
        var settings = TrainingSettings()
        settings.crossValidation.splits = nSplits
        settings.crossValidation.gap = gap
        settings.crossValidation.maxTrainSize = maxTrainSize
        settings.fit.earlyStoppingRounds = earlyStoppingRounds
        settings.fit.maxRounds = maxRounds
        settings.fit.seed = seed
        if let threads { settings.fit.threads = threads }
        settings.calibration = calibration
        settings.probaThreshold = probaThreshold
        settings.zRuleThreshold = zscoreThreshold
        settings.costs = BacktestCosts(feeRate: feeRate, slippageBps: slippageBps)
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
        guard feeRate >= 0, slippageBps >= 0 else { throw ValidationError("--fee-rate and --slippage-bps must not be negative") }
        guard earlyStoppingRounds >= 1, maxRounds >= 1 else { throw ValidationError("--early-stopping-rounds and --max-rounds must be at least 1") }
        if let threads { guard threads >= 1 else { throw ValidationError("--threads must be at least 1") } }
        guard !settings.candidates.isEmpty else { throw ValidationError("--kinds selects no candidate") }
    }

    func run() throws {
        location.bootstrapLogging()
        Interruption.install()
        let locations = location.locations
        let started = DispatchTime.now().uptimeNanoseconds
        XGBoostClock.shared.reset()
        let (report, path) = try TrainStage(store: try locations.openStore(), locations: locations)
            .run(settings: try settings(), progress: .terminal(), shouldStop: { Interruption.requested })
        for entry in report.pairs {
            if entry.status != "trained" {
                print("  \(entry.pair): skipped (\(entry.reason ?? "?"))")
                continue
            }
            let auc = entry.oofRocAuc.map { String(format: "%.3f", $0) } ?? "-"
            let model = entry.backtest.map { String(format: "Sharpe %.2f, return %.2f%%", $0.sharpe, $0.cumulativeReturn * 100) } ?? "-"
            let baseline = entry.baselineZRule.map { String(format: "z rule Sharpe %.2f", $0.sharpe) } ?? "-"
            print("  \(entry.pair): \(entry.champion?.name ?? "?"), OOF AUC \(auc), \(model) (\(baseline))")
        }
        let trained = report.pairs.filter { $0.status == "trained" }.count
        let portfolio = report.portfolio.map { String(format: ", portfolio OOF Sharpe %.2f", $0.sharpe) } ?? ""
        print("train: \(trained)/\(report.pairs.count) pairs trained\(portfolio) → \(path)")
        if timing {
            // For scripts/bench-train.sh: our time vs XGBoost's, and a fingerprint of every model's bytes.
            let total = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let xgboost = XGBoostClock.shared.seconds
            var hash = FNV1a()
            for entry in report.pairs { hash.add(entry.pair); hash.add(entry.modelFingerprint ?? "") }
            print(String(format: "timing: total %.3f s, xgboost %.3f s, plumbing %.3f s (%.1f%% of xgboost)", total, xgboost,
                         total - xgboost, (total - xgboost) / max(xgboost, 1e-9) * 100) + ", models \(hash.hex)")
        }
        if Interruption.requested { throw ExitCode(130) }
    }
}

struct Select: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Choose the pairs to deploy from the latest training run, with explicit guardrails.",
        discussion: """
            A pair is kept when its out-of-fold backtest Sharpe ≥ --sharpe-min, its max drawdown ≤ \
            --maxdd-max and its OOF ROC-AUC > --auc-min; the best --top-k by Sharpe are selected. \
            --no-guardrails drops all three (with a warning). Every decision and its reason go to the \
            store and to <data-dir>/training/selection.json.
            """
    )

    @OptionGroup var location: LocationOptions
    @Option(help: ArgumentHelp("Smallest OOF Sharpe after fees.", valueName: "s")) var sharpeMin = SelectionRules().sharpeMin!
    @Option(help: ArgumentHelp("Largest OOF max drawdown (fraction).", valueName: "dd")) var maxddMax = SelectionRules().maxDrawdownMax!
    @Option(help: ArgumentHelp("OOF ROC-AUC must exceed this.", valueName: "auc")) var aucMin = SelectionRules().aucMin!
    @Option(help: ArgumentHelp("Keep at most this many pairs.", valueName: "k")) var topK = SelectionRules().topK
    @Flag(help: "Select without guardrails (weak pairs may pass).") var noGuardrails = false

    func run() throws {
        location.bootstrapLogging()
        var rules = SelectionRules()
        rules.topK = topK
        if noGuardrails {
            rules.sharpeMin = nil
            rules.maxDrawdownMax = nil
            rules.aucMin = nil
        } else {
            rules.sharpeMin = sharpeMin
            rules.maxDrawdownMax = maxddMax
            rules.aucMin = aucMin
        }
        let locations = location.locations
        let (result, path) = try SelectStage(store: try locations.openStore(), locations: locations).run(rules: rules)
        if let warning = result.warning { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        for decision in result.decisions {
            print("  \(decision.selected ? "keep" : "drop") \(decision.pair): \(decision.reason)")
        }
        print("select: \(result.selected.count) of \(result.decisions.count) pairs selected → \(path)")
    }
}

struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay the latest training run's out-of-fold bars with other thresholds or costs.",
        discussion: """
            A position is taken at the close of bar t and earns the next bar's spread increment \
            Δln A − β·Δln B (β known at t), per unit of gross notional; fees and slippage are paid on \
            every change of position, on both legs. --signals-from oof uses the calibrated OOF \
            probabilities (≥ --proba-threshold: trade against the stretch); z uses the plain z rule.
            """
    )

    @OptionGroup var location: LocationOptions
    @Option(help: "oof (model) or z (plain z rule).") var signalsFrom: SignalSource = .oof
    @Option(help: ArgumentHelp("Calibrated probability at which a position is taken.", valueName: "p")) var probaThreshold = TrainingSettings().probaThreshold
    @Option(help: ArgumentHelp("|z| at which the z rule trades.", valueName: "z")) var zscoreThreshold = TrainingSettings().zRuleThreshold
    @Option(help: ArgumentHelp("Fee per unit of notional traded, per leg.", valueName: "rate")) var feeRate = BacktestCosts().feeRate
    @Option(help: ArgumentHelp("Slippage per leg, in basis points.", valueName: "bps")) var slippageBps = BacktestCosts().slippageBps

    func run() throws {
        location.bootstrapLogging()
        let locations = location.locations
        let (report, path) = try BacktestStage(store: try locations.openStore(), locations: locations)
            .run(signals: signalsFrom, probaThreshold: probaThreshold, zThreshold: zscoreThreshold,
                 costs: BacktestCosts(feeRate: feeRate, slippageBps: slippageBps))
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
        let files = try MemberExport(store: try location.locations.openStore()).write(to: out)
        for file in files { print(file) }
    }
}
