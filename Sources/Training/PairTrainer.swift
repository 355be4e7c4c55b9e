import Foundation
import ModelFormat
import PairResearch
import Backtest
import TrainingRecords

/// Trains one pair on the bars before the holdout, then scores the result once on the holdout.
///
/// Every choice is made on data before the bars it is scored on: walk-forward CV of every
/// candidate, each fold calibrated by what the folds before it predicted (the first fold by its
/// own early-stopping slice); the champion is the candidate whose out-of-fold trading after costs
/// earned the best Sharpe; it is refitted on everything before the holdout with the calibration
/// fitted on all its out-of-fold predictions, and that model alone is run over the holdout.
public struct PairTrainer: Sendable {
    public let settings: TrainingSettings
    /// Where its time goes, for the `--timing` reports.
    public let timing: TrainingTiming

    public init(settings: TrainingSettings, timing: TrainingTiming = .none) {
        self.settings = settings
        self.timing = timing
    }

    struct Trial {
        var candidate: Candidate
        var folds: [FoldReport]
        var raw: [Double]
        var calibrated: [Double]
        /// What was traded: the calibrated probabilities, 0 in folds the re-screen stopped.
        var traded: [Double]
        var rows: [Int]
        var foldOfRow: [Int]
        /// The out-of-fold span's backtest, against the z rule on the same bars.
        var span: SpanBacktest
        var meanAUC: Double?
        var backtest: BacktestResult { span.model.result }
        var returns: [Double] { span.model.returns }
    }

    typealias SpanBacktest = (model: Backtest.PairPath, baseline: Backtest.PairPath, times: [Int64])

    /// `holdoutStart`: open time of the holdout's first bar (nil: no holdout). `screen`: re-screens
    /// the pair before each scored period (nil: the screen is not repeated).
    public func train(_ dataset: PairDataset, holdoutStart: Int64? = nil, screen: WalkForwardScreen? = nil) throws
        -> PairTrainingResult
    {
        var result = PairTrainingResult(pair: dataset.pair, status: "skipped")
        result.featureNames = dataset.featureNames
        result.threshold = settings.probaThreshold
        result.entryZ = settings.entryZ
        var cv = settings.crossValidation
        cv.horizon = max(cv.horizon, 1)
        let holdoutIndex =
            holdoutStart.map { start in dataset.openTimes.firstIndex { $0 >= start } ?? dataset.count } ?? dataset.count
        // Labelled rows that know the next bar's move, whose label window ends before the holdout.
        let purge = max(cv.horizon, cv.gap)
        let rows = dataset.labels.indices.filter {
            dataset.labels[$0] != nil && dataset.nextMovesA[$0] != nil && $0 + purge < holdoutIndex
        }
        result.labelledRows = rows.count
        guard rows.count >= settings.minRows else {
            result.reason = "too few labelled rows before the holdout (\(rows.count) < \(settings.minRows))"
            result.shortOfData = true
            return result
        }
        let labels = dataset.labels.map { $0 ?? 0 }
        let positives = rows.reduce(0) { $0 + labels[$1] }
        guard positives > 0, positives < rows.count else {
            result.reason = "a single class in \(rows.count) labelled rows"
            return result
        }
        let folds: [Fold]
        do {
            folds = try cv.folds(rowBars: rows)
        } catch let error as TrainingError {
            result.reason = error.description
            result.shortOfData = true
            return result
        }
        let columns = dataset.featureNames.count
        let foldScreens = timing.honesty.measure {
            folds.map { screen?.check(at: dataset.openTimes[rows[$0.test.lowerBound]]) }
        }

        var trials: [Trial] = []
        for candidate in settings.candidates {
            var reports: [FoldReport] = []
            var raw: [Double] = [], calibrated: [Double] = [], traded: [Double] = [], oofRows: [Int] = [],
                foldOfRow: [Int] = []
            for fold in folds {
                let fit = fold.fit.map { rows[$0] }, validation = fold.validation.map { rows[$0] },
                    test = fold.test.map { rows[$0] }
                let fitLabels = fit.map { labels[$0] }
                guard fitLabels.contains(0), fitLabels.contains(1) else {
                    result.reason = "fold \(fold.index + 1)'s training rows have a single class"
                    return result
                }
                let model = try FittedModel.fit(
                    candidate, values: dataset.features, columns: columns, labels: labels,
                    fit: fit, validation: validation, settings: settings.fit, timing: timing.xgboost)
                let testRaw = try model.predict(rows: test, values: dataset.features)
                // Cross-fitted: this fold's calibration sees only predictions made before its test bars.
                let calibration = try timing.honesty.measure {
                    raw.isEmpty
                        ? Calibration.fit(
                            settings.calibration,
                            probabilities: try model.predict(rows: validation, values: dataset.features),
                            labels: validation.map { labels[$0] }
                        ).calibration
                        : Calibration.fit(settings.calibration, probabilities: raw, labels: oofRows.map { labels[$0] })
                            .calibration
                }
                let testCalibrated = testRaw.map(calibration.apply)
                let testTraded =
                    foldScreens[fold.index]?.passed == false ? testCalibrated.map { _ in 0 } : testCalibrated
                let backtest = spanBacktest(dataset, rows: test, probabilities: testTraded).model.result
                reports.append(
                    FoldReport(
                        fold: fold.index, trainRows: fit.count, testRows: test.count,
                        firstTestTime: dataset.openTimes[test[0]], rounds: model.rounds,
                        metrics: ClassificationMetrics(probabilities: testCalibrated, labels: test.map { labels[$0] }),
                        backtest: backtest))
                raw += testRaw
                calibrated += testCalibrated
                traded += testTraded
                oofRows += test
                foldOfRow += Array(repeating: fold.index, count: test.count)
            }
            let span = timing.honesty.measure { spanBacktest(dataset, rows: oofRows, probabilities: traded) }
            let aucs = reports.compactMap(\.metrics.rocAUC)
            trials.append(
                Trial(
                    candidate: candidate, folds: reports, raw: raw, calibrated: calibrated, traded: traded,
                    rows: oofRows, foldOfRow: foldOfRow,
                    span: span, meanAUC: aucs.isEmpty ? nil : aucs.reduce(0, +) / Double(aucs.count)))
        }
        result.candidates = trials.map { trial in
            CandidateReport(
                candidate: trial.candidate.name, oofSharpe: trial.backtest.sharpe,
                perBarSharpe: ReturnStatistics(trial.returns).sharpe, oofTrades: trial.backtest.trades,
                meanFoldAUC: trial.meanAUC)
        }
        result.trialReturns = trials.map(\.returns)
        // Money after costs out of fold first, fold AUC to break ties; the grid's first wins exact ties.
        let best = trials.enumerated().max { lhs, rhs in
            (lhs.element.backtest.sharpe, lhs.element.meanAUC ?? 0, -lhs.offset) < (
                rhs.element.backtest.sharpe, rhs.element.meanAUC ?? 0, -rhs.offset
            )
        }!.element

        result.champion = best.candidate
        result.championName = best.candidate.name
        result.folds = best.folds
        let oofLabels = best.rows.map { labels[$0] }
        result.oof = ClassificationMetrics(probabilities: best.calibrated, labels: oofLabels)
        result.oofRawRocAUC = ClassificationMetrics.rocAUC(best.raw, oofLabels)
        let deployed = Calibration.fit(settings.calibration, probabilities: best.raw, labels: oofLabels)
        result.calibration = deployed.calibration
        result.calibrationWarning = deployed.warning
        result.antiPredictive = deployed.antiPredictive || ClassificationMetrics.rankedBackwards(best.raw, oofLabels)
        result.oofPredictions = best.rows.indices.map { index in
            OOFPrediction(
                time: dataset.openTimes[best.rows[index]], fold: best.foldOfRow[index], raw: best.raw[index],
                calibrated: best.calibrated[index], label: oofLabels[index])
        }
        let oofSpan = best.span
        result.backtest = oofSpan.model.result
        result.baselineZRule = oofSpan.baseline.result
        result.oofReturns = oofSpan.model.returns
        result.oofReturnTimes = oofSpan.times
        result.expectation = TradeExpectation(
            trades: oofSpan.model.trades, times: oofSpan.times, maxDrawdown: oofSpan.model.result.maxDrawdown)
        result.equity = Backtest.equityCurve(times: oofSpan.times, returns: oofSpan.model.returns)
        result.baselineEquity = Backtest.equityCurve(times: oofSpan.times, returns: oofSpan.baseline.returns)

        // Refit on everything before the holdout with the rounds the folds chose (their median).
        let rounds = best.folds.map(\.rounds).sorted()[best.folds.count / 2]
        let final = try FittedModel.fit(
            best.candidate, values: dataset.features, columns: columns, labels: labels,
            fit: rows, validation: [], settings: settings.fit, fixedRounds: rounds, timing: timing.xgboost)
        result.rounds = final.rounds
        result.model = try final.booster.saveJSON()
        result.standardisation = final.standardisation
        if best.candidate.kind != .logistic {
            for (index, gain) in try final.booster.gainImportance() where index < dataset.featureNames.count {
                result.featureImportance[dataset.featureNames[index]] = gain
            }
        }
        result.trainingWindow = [dataset.openTimes[rows.first!], dataset.openTimes[rows.last!]]

        try timing.honesty.measure {
            let holdoutScreen = holdoutIndex < dataset.count ? screen?.check(at: dataset.openTimes[holdoutIndex]) : nil
            result.rescreens = foldScreens.compactMap { $0 }
            result.holdoutRescreen = holdoutScreen
            try scoreHoldout(
                dataset, from: holdoutIndex, model: final, labels: labels, stopped: holdoutScreen?.passed == false,
                into: &result)
        }
        result.status = "trained"
        return result
    }

    /// Runs the refitted champion over the holdout's bars, as the router will score them live.
    /// `stopped`: the re-screen before the holdout failed, so the pair takes no position there.
    func scoreHoldout(
        _ dataset: PairDataset, from holdoutIndex: Int, model final: FittedModel, labels: [Int], stopped: Bool,
        into result: inout PairTrainingResult
    ) throws {
        let holdoutRows = Array(holdoutIndex..<dataset.count).filter { dataset.nextMovesA[$0] != nil }
        if !holdoutRows.isEmpty {
            let probabilities = try final.predict(rows: holdoutRows, values: dataset.features).map(
                result.calibration.apply)
            let holdout = spanBacktest(
                dataset, rows: holdoutRows, probabilities: stopped ? probabilities.map { _ in 0 } : probabilities)
            result.holdout = holdout.model.result
            result.holdoutBaselineZRule = holdout.baseline.result
            result.holdoutReturns = holdout.model.returns
            result.holdoutReturnTimes = holdout.times
            result.holdoutTrades = holdout.model.trades
            result.holdoutWindow = [dataset.openTimes[holdoutRows.first!], dataset.openTimes[holdoutRows.last!]]
            let labelled = holdoutRows.indices.filter { dataset.labels[holdoutRows[$0]] != nil }
            if !labelled.isEmpty {
                result.holdoutMetrics = ClassificationMetrics(
                    probabilities: labelled.map { probabilities[$0] },
                    labels: labelled.map { labels[holdoutRows[$0]] })
            }
        }
    }

    /// Backtests every bar from the first to the last of `rows` (time-ordered dataset rows with
    /// predictions), the model against the plain z rule. Bars between them without a prediction
    /// give no entry signal, but a position held into them keeps earning (or losing) there.
    func spanBacktest(_ dataset: PairDataset, rows: [Int], probabilities: [Double]) -> SpanBacktest {
        Self.spanBacktest(dataset, rows: rows, probabilities: probabilities, settings: settings)
    }

    static func spanBacktest(_ dataset: PairDataset, rows: [Int], probabilities: [Double], settings: TrainingSettings)
        -> SpanBacktest
    {
        var byRow: [Int: Double] = [:]
        for (row, probability) in zip(rows, probabilities) { byRow[row] = probability }
        let span = (rows.min() ?? 0)...(rows.max() ?? -1)
        let bars = span.filter { dataset.nextMovesA[$0] != nil }
        let z = bars.map { dataset.z[$0] }, betas = bars.map { dataset.beta[$0] }
        let movesA = bars.map { dataset.nextMovesA[$0]! }, movesB = bars.map { dataset.nextMovesB[$0]! }
        let positions = Backtest.modelPositions(
            probabilities: bars.map { byRow[$0] ?? 0 }, z: z, threshold: settings.probaThreshold,
            entryZ: settings.entryZ)
        let times = bars.map { dataset.openTimes[$0] }
        let model = Backtest.simulate(
            positions: positions, movesA: movesA, movesB: movesB, betas: betas, execution: settings.execution,
            barsPerYear: settings.barsPerYear, times: times)
        let baseline = Backtest.simulate(
            positions: Backtest.zRulePositions(z: z, threshold: settings.zRuleThreshold),
            movesA: movesA, movesB: movesB, betas: betas, execution: settings.execution,
            barsPerYear: settings.barsPerYear, times: times)
        return (model, baseline, times)
    }
}
