import Foundation
import GRDB
import HTTPClient
import MarketData
import ModelFormat
import PairResearch
import Basics
import Store
import Training
import TrainingRecords

/// What the pipeline did, stage by stage, and where it ended.
public struct PipelineSummary: Sendable {
    /// The training run the selection read, and the selection: made by this run or kept from the last.
    public var training: TrainingReport?
    public private(set) var selection: SelectionResult?
    /// The windows' dates, as the run printed them first.
    public var timeline: String?
    public var pairsScreened = 0
    public private(set) var pairsSelected = 0
    /// Candidate × pair combinations the training run tried, and its probability of backtest overfitting.
    public private(set) var trials: Int?
    public private(set) var pbo: Double?
    /// The selected pairs' equal-sleeve portfolio (equal capital per pair at the start, never
    /// rebalanced): out of fold and on the holdout, after costs.
    public private(set) var portfolioSharpe: Double?
    public private(set) var portfolioDeflatedSharpe: Double?
    public private(set) var portfolioHoldoutSharpe: Double?
    public private(set) var portfolioTrades: Int?
    /// Why nothing was deployed, when nothing was: a normal outcome, not a failure. The alias and
    /// the served model are left as they were.
    public var nothingDeployable: String?
    public var modelURI: String?
    public var version: Int?

    /// The selection and the figures the summary line prints from it.
    mutating func record(_ selection: SelectionResult) {
        self.selection = selection
        pairsSelected = selection.selected.count
        trials = selection.trials
        pbo = selection.pbo
        portfolioSharpe = selection.portfolio?.sharpe
        portfolioTrades = selection.portfolio?.trades
        portfolioDeflatedSharpe = selection.portfolioDeflatedSharpe
        portfolioHoldoutSharpe = selection.portfolioHoldout?.sharpe
    }
}
