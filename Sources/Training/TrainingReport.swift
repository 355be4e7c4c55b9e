import Foundation
import ModelFormat
import GRDB
import MarketData
import PairResearch
import Backtest
import Basics
import Store
import TrainingRecords

public struct TrainingReport: Codable, Sendable {
    public var runId: String
    public var createdAt: String
    public var codeVersion: String
    public var datasetId: String
    public var dataset: DatasetDefinition
    public var settings: TrainingSettings
    public var timeline: ResearchTimeline
    public var execution: String
    /// Candidate × pair combinations tried: what the Deflated Sharpe Ratio deflates for.
    public var trials: Int
    /// The trials that are independent of each other (correlated trials clustered): the DSR's N.
    public var independentTrials: Int
    /// Probability of Backtest Overfitting over every trial's out-of-fold returns.
    public var pbo: BacktestOverfitting.Outcome?
    public var pairs: [PairReportEntry]
    /// Equal-weight portfolio of the trained pairs' out-of-fold strategy returns.
    public var portfolio: BacktestResult?
    public var portfolioEquity: [EquityPoint]
    /// The same pairs on the holdout.
    public var portfolioHoldout: BacktestResult?
}
