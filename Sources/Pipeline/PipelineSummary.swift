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
    public var stages: [(name: String, skipped: Bool, line: String, seconds: Double)] = []
    public var pairsScreened = 0
    public var pairsSelected = 0
    /// Candidate × pair combinations the training run tried, and its probability of backtest overfitting.
    public var trials: Int?
    public var pbo: Double?
    /// The selected pairs' equal-sleeve portfolio (equal capital per pair at the start, never rebalanced): out of fold and on the holdout, after costs.
    public var portfolioSharpe: Double?
    public var portfolioDeflatedSharpe: Double?
    public var portfolioHoldoutSharpe: Double?
    public var portfolioTrades: Int?
    /// Why nothing was deployed, when nothing was: a normal outcome, not a failure. The alias and
    /// the served model are left as they were.
    public var nothingDeployable: String?
    public var modelURI: String?
    public var version: Int?
}
