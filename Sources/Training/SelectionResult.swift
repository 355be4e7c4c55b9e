import Foundation
import GRDB
import MarketData
import PairResearch
import Backtest
import Basics
import Store
import TrainingRecords

public struct SelectionResult: Codable, Sendable {
    public var runId: String
    public var rules: SelectionRules
    /// false: selected without guardrails.
    public var guardrails: Bool
    public var warning: String?
    /// Why the run's out-of-fold figures are in sample, when they are.
    public var inSample: String?
    public var trials: Int
    public var independentTrials: Int
    public var pbo: Double?
    public var decisions: [SelectionDecision]
    /// The selected pairs in equal sleeves, out of fold and on the holdout, and the portfolio's
    /// Deflated Sharpe Ratio for the run's trials. The holdout figure of a selection that required
    /// a positive holdout is conditioned on it; `holdoutBeforeGate` is the holdout of every pair that
    /// passed the other guardrails, which is not.
    public var portfolio: BacktestResult?
    public var portfolioDeflatedSharpe: Double?
    public var portfolioHoldout: BacktestResult?
    public var holdoutBeforeGate: BacktestResult?
    public var selected: [String] { decisions.filter(\.selected).map(\.pair) }
}
