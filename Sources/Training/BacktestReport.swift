import Foundation
import GRDB
import MarketData
import ModelFormat
import PairResearch
import Backtest
import Basics
import Store
import TrainingRecords

public struct BacktestReport: Codable, Sendable {
    public struct Pair: Codable, Sendable {
        public var pair: String
        public var result: BacktestResult
        public var equity: [EquityPoint]
    }

    public var runId: String
    public var signals: SignalSource
    public var probaThreshold: Double
    public var zThreshold: Double
    public var execution: Execution
    public var pairs: [Pair]
    public var portfolio: BacktestResult?
    public var portfolioEquity: [EquityPoint]
}
