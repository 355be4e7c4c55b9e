import Foundation
import ModelFormat
import PairResearch
import Portfolio

public struct TrainingSettings: Codable, Sendable, Equatable {
    public var crossValidation = CrossValidation()
    public var fit = FitSettings()
    public var candidates = Candidate.defaultGrid
    public var calibration: Calibration.Method = .platt
    /// Calibrated probability at or above which the model takes a position.
    public var probaThreshold = 0.6
    /// |z| at which the plain z rule (the baseline) takes a position.
    public var zRuleThreshold = 1.2
    public var costs = BacktestCosts()
    public var barsPerYear = 365.0 * 288
    /// Fewest labelled rows a pair needs.
    public var minRows = 500

    public init() {}
}

public struct FoldReport: Codable, Sendable, Equatable {
    public var fold: Int
    public var trainRows: Int
    public var testRows: Int
    public var firstTestTime: Int64
    public var rounds: Int
    public var metrics: ClassificationMetrics
    public var backtest: BacktestResult
}

public struct CandidateReport: Codable, Sendable, Equatable {
    public var candidate: String
    public var meanFoldSharpe: Double
    public var meanFoldAUC: Double?

    enum CodingKeys: String, CodingKey { case candidate, meanFoldSharpe, meanFoldAUC = "meanFoldAuc" }
}

/// Everything the trainer learned about one pair.
public struct PairTrainingResult: Codable, Sendable {
    public var pair: String
    /// "trained" or "skipped".
    public var status: String
    public var reason: String?
    public var labelledRows = 0
    public var champion: Candidate?
    public var championName: String?
    public var rounds: Int?
    public var candidates: [CandidateReport] = []
    public var folds: [FoldReport] = []
    /// Of the champion's out-of-fold predictions, after calibration.
    public var oof: ClassificationMetrics?
    public var calibration: Calibration = .none
    public var threshold: Double = 0.5
    public var backtest: BacktestResult?
    /// The plain z rule on the same bars, after the same fees.
    public var baselineZRule: BacktestResult?
    public var equity: [EquityPoint] = []
    public var baselineEquity: [EquityPoint] = []
    /// Average gain per feature, by name.
    public var featureImportance: [String: Double] = [:]
    public var featureNames: [String] = []
    public var standardisation: Standardisation?
    /// The refitted champion as XGBoost JSON.
    public var model: [UInt8]?
    public var trainingWindow: [Int64] = []
    public var oofPredictions: [OOFPrediction] = []
    /// Strategy returns over the out-of-fold span (every bar from the first to the last OOF row), and
    /// their bar times, for the portfolio.
    public var oofReturns: [Double] = []
    public var oofReturnTimes: [Int64] = []
}

public struct OOFPrediction: Codable, Sendable, Equatable {
    public var time: Int64
    public var fold: Int
    public var raw: Double
    public var calibrated: Double
    public var label: Int
}

/// Trains one pair: walk-forward CV of every candidate, champion choice on fold trading metrics
/// (then AUC), calibration on the champion's out-of-fold predictions, OOF backtest against the z rule,
/// and a refit of the champion on the whole window.
public struct PairTrainer: Sendable {
    public let settings: TrainingSettings

    public init(settings: TrainingSettings) { self.settings = settings }

    public func train(_ dataset: PairDataset) throws -> PairTrainingResult {
        var result = PairTrainingResult(pair: dataset.pair, status: "skipped")
        result.featureNames = dataset.featureNames
        result.threshold = settings.probaThreshold
        // Labelled rows that also know the next bar's move (the backtest needs it).
        let rows = dataset.labels.indices.filter { dataset.labels[$0] != nil && dataset.nextBarMoves[$0] != nil }
        result.labelledRows = rows.count
        guard rows.count >= settings.minRows else {
            result.reason = "too few labelled rows (\(rows.count) < \(settings.minRows))"
            return result
        }
        let labels = dataset.labels.map { $0 ?? 0 }
        let positives = rows.reduce(0) { $0 + labels[$1] }
        guard positives > 0, positives < rows.count else {
            result.reason = "a single class in \(rows.count) labelled rows"
            return result
        }
        var cv = settings.crossValidation
        cv.horizon = max(cv.horizon, 1)
        let folds = cv.folds(rows: rows.count)
        guard !folds.isEmpty else {
            result.reason = "too few rows for \(cv.splits) walk-forward folds"
            return result
        }
        let columns = dataset.featureNames.count

        struct Evaluated {
            var candidate: Candidate
            var folds: [FoldReport]
            var oof: [Double]
            var oofRows: [Int]
            var oofFolds: [Int]
            var meanSharpe: Double
            var meanAUC: Double?
        }
        var evaluated: [Evaluated] = []
        for candidate in settings.candidates {
            var reports: [FoldReport] = []
            var oof: [Double] = [], oofRows: [Int] = [], oofFolds: [Int] = []
            for fold in folds {
                let fit = fold.fit.map { rows[$0] }, validation = fold.validation.map { rows[$0] }, test = fold.test.map { rows[$0] }
                let foldLabels = fit.map { labels[$0] }
                guard foldLabels.contains(0), foldLabels.contains(1) else { continue }
                let model = try FittedModel.fit(candidate, values: dataset.features, columns: columns, labels: labels,
                                                fit: fit, validation: validation, settings: settings.fit)
                let probabilities = try model.predict(rows: test, values: dataset.features)
                let backtest = Self.spanBacktest(dataset, rows: test, probabilities: probabilities, settings: settings).model.result
                reports.append(FoldReport(fold: fold.index, trainRows: fit.count, testRows: test.count,
                                          firstTestTime: dataset.openTimes[test[0]], rounds: model.rounds,
                                          metrics: ClassificationMetrics(probabilities: probabilities, labels: test.map { labels[$0] }),
                                          backtest: backtest))
                oof += probabilities
                oofRows += test
                oofFolds += Array(repeating: fold.index, count: test.count)
            }
            guard !reports.isEmpty else { continue }
            let aucs = reports.compactMap(\.metrics.rocAUC)
            evaluated.append(Evaluated(candidate: candidate, folds: reports, oof: oof, oofRows: oofRows, oofFolds: oofFolds,
                                       meanSharpe: reports.map(\.backtest.sharpe).reduce(0, +) / Double(reports.count),
                                       meanAUC: aucs.isEmpty ? nil : aucs.reduce(0, +) / Double(aucs.count)))
        }
        guard !evaluated.isEmpty else {
            result.reason = "no fold had both classes in its training rows"
            return result
        }
        result.candidates = evaluated.map { CandidateReport(candidate: $0.candidate.name, meanFoldSharpe: $0.meanSharpe, meanFoldAUC: $0.meanAUC) }
        // Fold trading metrics first, AUC to break ties; the first candidate of the grid wins exact ties.
        let best = evaluated.enumerated().max { lhs, rhs in
            (lhs.element.meanSharpe, lhs.element.meanAUC ?? 0, -lhs.offset) < (rhs.element.meanSharpe, rhs.element.meanAUC ?? 0, -rhs.offset)
        }!.element

        result.champion = best.candidate
        result.championName = best.candidate.name
        result.folds = best.folds
        let oofLabels = best.oofRows.map { labels[$0] }
        result.calibration = Calibration.fit(settings.calibration, probabilities: best.oof, labels: oofLabels)
        let calibrated = best.oof.map(result.calibration.apply)
        result.oof = ClassificationMetrics(probabilities: calibrated, labels: oofLabels)
        result.oofPredictions = best.oofRows.indices.map { index in
            OOFPrediction(time: dataset.openTimes[best.oofRows[index]], fold: best.oofFolds[index], raw: best.oof[index],
                          calibrated: calibrated[index], label: oofLabels[index])
        }
        let (model, baseline, oofTimes) = Self.spanBacktest(dataset, rows: best.oofRows, probabilities: calibrated, settings: settings)
        result.backtest = model.result
        result.baselineZRule = baseline.result
        result.oofReturns = model.returns
        result.oofReturnTimes = oofTimes
        result.equity = Backtest.equityCurve(times: oofTimes, returns: model.returns)
        result.baselineEquity = Backtest.equityCurve(times: oofTimes, returns: baseline.returns)

        // Refit on the whole window with the rounds the folds chose (their median).
        let rounds = best.folds.map(\.rounds).sorted()[best.folds.count / 2]
        let final = try FittedModel.fit(best.candidate, values: dataset.features, columns: columns, labels: labels,
                                        fit: rows, validation: [], settings: settings.fit, fixedRounds: rounds)
        result.rounds = final.rounds
        result.model = try final.booster.saveJSON()
        result.standardisation = final.standardisation
        if best.candidate.kind != .logistic {
            for (index, gain) in try final.booster.gainImportance() where index < dataset.featureNames.count {
                result.featureImportance[dataset.featureNames[index]] = gain
            }
        }
        result.trainingWindow = [dataset.openTimes[rows.first!], dataset.openTimes[rows.last!]]
        result.status = "trained"
        return result
    }

    /// Backtests every bar from the first to the last of `rows` (time-ordered dataset rows with
    /// predictions), the model against the plain z rule. Bars between them have no prediction and
    /// give no entry signal, but a position held into them keeps earning (or losing) there.
    static func spanBacktest(_ dataset: PairDataset, rows: [Int], probabilities: [Double], settings: TrainingSettings)
        -> (model: (result: BacktestResult, returns: [Double]), baseline: (result: BacktestResult, returns: [Double]), times: [Int64]) {
        var byRow: [Int: Double] = [:]
        for (row, probability) in zip(rows, probabilities) { byRow[row] = probability }
        let span = (rows.min() ?? 0)...(rows.max() ?? -1)
        let bars = span.filter { dataset.nextBarMoves[$0] != nil }
        let z = bars.map { dataset.z[$0] }, moves = bars.map { dataset.nextBarMoves[$0]! }, betas = bars.map { dataset.beta[$0] }
        let model = Backtest.run(positions: Backtest.modelPositions(probabilities: bars.map { byRow[$0] ?? 0 }, z: z, threshold: settings.probaThreshold),
                                 nextMoves: moves, betas: betas, costs: settings.costs, barsPerYear: settings.barsPerYear)
        let baseline = Backtest.run(positions: Backtest.zRulePositions(z: z, threshold: settings.zRuleThreshold),
                                    nextMoves: moves, betas: betas, costs: settings.costs, barsPerYear: settings.barsPerYear)
        return (model, baseline, bars.map { dataset.openTimes[$0] })
    }
}
