import Foundation
import ModelFormat
import GRDB
import MarketData
import PairResearch
import Backtest
import Basics
import Store
import TrainingRecords

/// One pair's entry in `<data-dir>/training/report.json`.
public struct PairReportEntry: Codable, Sendable {
    public struct Champion: Codable, Sendable {
        public var kind: String
        public var name: String
        public var parameters: Candidate
        public var rounds: Int?
    }

    /// What the screen saw of the pair (in sample: the screen chose it on these bars).
    public var pair: String
    public var status: String
    public var reason: String?
    public var labelledRows: Int
    public var screen: ScreenFigures?
    /// Candidates tried on this pair.
    public var trials: Int
    /// Of the cross-fitted calibrated out-of-fold predictions.
    public var oofRocAuc: Double?
    public var oofRawRocAuc: Double?
    public var oofPrAuc: Double?
    public var oofBrier: Double?
    public var oofLogLoss: Double?
    public var oofPositiveRate: Double?
    /// Out of fold, after costs.
    public var backtest: BacktestResult?
    public var baselineZRule: BacktestResult?
    /// Deflated Sharpe Ratio of the out-of-fold returns, with every trial of the run counted.
    public var deflatedSharpe: Double?
    /// The holdout, after costs: bars no choice saw.
    public var holdout: BacktestResult?
    public var holdoutBaselineZRule: BacktestResult?
    public var holdoutRocAuc: Double?
    public var holdoutWindow: [String]
    /// Walk-forward re-screens before each fold's test block, and before the holdout.
    public var rescreens: [Rescreen]
    public var holdoutRescreen: Rescreen?
    public var champion: Champion?
    public var calibration: Calibration?
    public var antiPredictive: Bool
    public var calibrationWarning: String?
    public var threshold: Double
    public var entryZ: Double
    public var featureImportance: [String: Double]
    public var folds: [FoldReport]
    public var candidates: [CandidateReport]
    public var trainingWindow: [String]
    /// FNV-1a of the refitted model's bytes: equal fingerprints, identical models.
    public var modelFingerprint: String?

    init(_ result: PairTrainingResult) {
        pair = result.pair
        status = result.status
        reason = result.reason
        labelledRows = result.labelledRows
        trials = result.candidates.count
        oofRocAuc = result.oof?.rocAUC
        oofRawRocAuc = result.oofRawRocAUC
        deflatedSharpe = result.deflatedSharpe
        holdout = result.holdout
        holdoutBaselineZRule = result.holdoutBaselineZRule
        holdoutRocAuc = result.holdoutMetrics?.rocAUC
        holdoutWindow = result.holdoutWindow.map(UTCTime.format)
        rescreens = result.rescreens
        holdoutRescreen = result.holdoutRescreen
        antiPredictive = result.antiPredictive
        calibrationWarning = result.calibrationWarning
        entryZ = result.entryZ
        oofPrAuc = result.oof?.prAUC
        oofBrier = result.oof?.brier
        oofLogLoss = result.oof?.logLoss
        oofPositiveRate = result.oof?.positiveRate
        backtest = result.backtest
        baselineZRule = result.baselineZRule
        champion = result.champion.map {
            Champion(kind: $0.kind.rawValue, name: $0.name, parameters: $0, rounds: result.rounds)
        }
        calibration = result.status == "trained" ? result.calibration : nil
        threshold = result.threshold
        featureImportance = result.featureImportance
        folds = result.folds
        candidates = result.candidates
        trainingWindow = result.trainingWindow.map(UTCTime.format)
        modelFingerprint = result.model.map { bytes in
            var hash = FNV1a()
            for byte in bytes { hash.add(byte) }
            return hash.hex
        }
    }
}
