import Foundation
import ModelFormat
import PairResearch
import Backtest

/// Everything the trainer learned about one pair.
public struct PairTrainingResult: Codable, Sendable {
    public var pair: String
    /// "trained" or "skipped".
    public var status: String
    public var reason: String?
    /// Skipped because the bars before the holdout are too few for the rows or the folds asked for.
    public var shortOfData = false
    public var labelledRows = 0
    public var champion: Candidate?
    public var championName: String?
    public var rounds: Int?
    public var candidates: [CandidateReport] = []
    public var folds: [FoldReport] = []
    /// Of the champion's out-of-fold predictions, each fold calibrated by the folds before it.
    public var oof: ClassificationMetrics?
    /// ROC-AUC of the champion's raw (uncalibrated) out-of-fold predictions.
    public var oofRawRocAUC: Double?
    /// The calibration the deployed model uses: fitted on every out-of-fold prediction, all of them
    /// before the holdout.
    public var calibration: Calibration = .none
    /// The calibration would have reversed the model's ranking: never deployed.
    public var antiPredictive = false
    public var calibrationWarning: String?
    public var threshold: Double = 0.5
    public var entryZ: Double = 0
    /// Out of fold, after costs, with the execution delay.
    public var backtest: BacktestResult?
    /// The plain z rule on the same bars, after the same costs.
    public var baselineZRule: BacktestResult?
    /// The refitted champion on the holdout (bars no choice saw), after costs.
    public var holdout: BacktestResult?
    public var holdoutBaselineZRule: BacktestResult?
    /// Classification quality on the holdout's labelled bars.
    public var holdoutMetrics: ClassificationMetrics?
    public var holdoutWindow: [Int64] = []
    /// The walk-forward re-screens: one before each fold's test block, and the one before the holdout.
    public var rescreens: [Rescreen] = []
    public var holdoutRescreen: Rescreen?
    /// Deflated Sharpe Ratio of the out-of-fold returns, given every trial of the run (set by the run).
    public var deflatedSharpe: Double?
    public var equity: [EquityPoint] = []
    public var baselineEquity: [EquityPoint] = []
    /// Average gain per feature, by name.
    public var featureImportance: [String: Double] = [:]
    public var featureNames: [String] = []
    public var standardisation: Standardisation?
    /// The refitted champion as XGBoost JSON.
    public var model: [UInt8]?
    /// First and last bar the champion was fitted on.
    public var trainingWindow: [Int64] = []
    public var oofPredictions: [OOFPrediction] = []
    /// Strategy returns over the out-of-fold span (every bar from the first to the last OOF row), and
    /// their bar times, for the portfolio.
    public var oofReturns: [Double] = []
    public var oofReturnTimes: [Int64] = []
    /// Every candidate's out-of-fold returns on `oofReturnTimes`, for the run's PBO.
    public var trialReturns: [[Double]] = []
    public var holdoutReturns: [Double] = []
    public var holdoutReturnTimes: [Int64] = []
    /// The holdout's round trips (entry and exit bars, sides, returns after costs): what a replay of
    /// the holdout through the paper broker must trade.
    public var holdoutTrades: [ClosedTrade]?
    /// What the out-of-fold trades promise live (per-trade mean and spread, rate, hit rate, drawdown),
    /// against which the paper ledger tests each deployed pair. nil in runs stored before it.
    public var expectation: TradeExpectation?

    public init(pair: String, status: String) {
        self.pair = pair
        self.status = status
    }

    /// What goes into the store's JSON: the per-bar series live in their own tables.
    public var summary: PairTrainingResult {
        var copy = self
        copy.model = nil
        copy.oofPredictions = []
        copy.oofReturns = []
        copy.oofReturnTimes = []
        copy.trialReturns = []
        copy.holdoutReturns = []
        copy.holdoutReturnTimes = []
        return copy
    }
}
