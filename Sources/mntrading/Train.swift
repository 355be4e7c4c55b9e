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
    @OptionGroup(title: "MLflow") var tracking: TrackingOptions

    @OptionGroup(title: "Folds, holdout and fits") var training: TrainingOptions
    @OptionGroup(title: "Execution") var execution: ExecutionOptions
    @Option(
        help: "Probability calibration: platt, isotonic or none (monotone; fitted on earlier folds' predictions only).")
    var calibration = TrainingSettings().calibration
    @Option(
        help: ArgumentHelp("Calibrated probability at which a position is taken.", valueName: "p"),
        transform: NumberRule.fraction.parse) var probaThreshold = TrainingSettings().probaThreshold
    @Option(
        help: ArgumentHelp("|z| at which the z-rule baseline trades.", valueName: "z"),
        transform: NumberRule.zThreshold.parse) var zscoreThreshold = TrainingSettings().zRuleThreshold
    @Option(
        help: ArgumentHelp("Fewest labelled rows a pair needs.", valueName: "rows"), transform: NumberRule.rows.parse)
    var minRows = TrainingSettings().minRows
    @Option(help: "Seed: the same seed and data give byte-identical models.") var seed = FitSettings().seed
    @Flag(help: .hidden) var timing = false

    func settings() throws -> TrainingSettings {
        var settings = TrainingSettings()
        try asUsageError { try training.apply(to: &settings) }
        settings.calibration = calibration
        settings.probaThreshold = probaThreshold
        settings.zRuleThreshold = zscoreThreshold
        settings.execution = execution.execution
        settings.minRows = minRows
        settings.fit.seed = seed
        return settings
    }

    func run() throws {
        // Never beside a pipeline or another batch stage over the same data directory.
        try location.locations.holdingBatchLock("mntrading train") { try runHoldingLock() }
    }

    private func runHoldingLock() throws {
        location.bootstrapLogging()
        Interruption.install()
        let locations = location.locations
        let started = DispatchTime.now().uptimeNanoseconds
        let accounts = TrainingTiming()
        let store = try locations.openProjectStore()
        let (report, path) = try TrainStage(store: store, locations: locations)
            .run(
                settings: try settings(), progress: .terminal(), shouldStop: { Interruption.requested },
                timing: accounts)
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
        print(
            "train: \(trained)/\(report.pairs.count) pairs trained, \(report.trials) trials\(pbo)\(portfolio)\(holdout) (after costs; \(report.execution)) → \(path)"
        )
        if let inSample = report.timeline.inSampleReason {
            print("note: out-of-fold figures are in sample: \(inSample)")
        }
        if timing {
            // For scripts/bench/bench-train.sh: our time vs XGBoost's, and a fingerprint of every model's bytes.
            let total = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let xgboost = accounts.xgboost.seconds
            let honesty = accounts.honesty.seconds
            var hash = FNV1a()
            for entry in report.pairs {
                hash.add(entry.pair)
                hash.add(entry.modelFingerprint ?? "")
            }
            print(
                String(
                    format: "timing: total %.3f s, xgboost %.3f s, plumbing %.3f s (%.1f%% of xgboost)", total, xgboost,
                    total - xgboost, (total - xgboost) / max(xgboost, 1e-9) * 100) + ", models \(hash.hex)")
            print(
                String(
                    format: "timing: honesty machinery %.3f s = %.1f%% on top of the rest (%.3f s)", honesty,
                    honesty / max(total - honesty, 1e-9) * 100, total - honesty))
        }
        if Interruption.requested { throw ExitCode(130) }
        try tracking.log(store) {
            [try TrackedEntries.training(report, reportPath: path, experiment: tracking.experiment, stage: "train")]
        }
    }
}
