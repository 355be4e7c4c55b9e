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
    /// A stage as the run passed it.
    public struct StageLine: Sendable {
        public var name: String
        public var skipped: Bool
        public var line: String
        public var seconds: Double
    }

    public var stages: [StageLine] = []
    /// The training run the selection read, and the selection: made by this run or kept from the last.
    public var training: TrainingReport?
    public var selection: SelectionResult?
    public var pairsScreened = 0
    public var pairsSelected: Int { selection?.selected.count ?? 0 }
    /// Candidate × pair combinations the training run tried, and its probability of backtest overfitting.
    public var trials: Int? { selection?.trials }
    public var pbo: Double? { selection?.pbo }
    /// The selected pairs' equal-sleeve portfolio (equal capital per pair at the start, never
    /// rebalanced): out of fold and on the holdout, after costs.
    public var portfolioSharpe: Double? { selection?.portfolio?.sharpe }
    public var portfolioDeflatedSharpe: Double? { selection?.portfolioDeflatedSharpe }
    public var portfolioHoldoutSharpe: Double? { selection?.portfolioHoldout?.sharpe }
    public var portfolioTrades: Int? { selection?.portfolio?.trades }
    /// Why nothing was deployed, when nothing was: a normal outcome, not a failure. The alias and
    /// the served model are left as they were.
    public var nothingDeployable: String?
    public var modelURI: String?
    public var version: Int?
}
