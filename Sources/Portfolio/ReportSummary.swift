import Foundation
import GRDB
import MarketData
import ModelFormat
import Backtest
import Basics
import Store
import TrainingRecords

/// `summary.json`: the report's numbers for machines (and for tests that compare them with the store).
public struct ReportSummary: Codable, Sendable, Equatable {
    public struct SignalCounts: Codable, Sendable, Equatable {
        public var pairs: Int
        public var long: Int
        public var short: Int
        public var flat: Int
        public var stale: [String]
    }

    public struct OrderSummary: Codable, Sendable, Equatable {
        public var count: Int
        public var pairs: Int
        public var gross: Double
        public var net: Double
        public var legsGross: Double
        public var perSymbol: [SymbolExposure]
        public var capped: Bool
    }

    public struct BacktestSummary: Codable, Sendable, Equatable {
        public var trainingRun: String
        public var portfolio: BacktestResult?
        public var pairs: [PairResult]
    }

    /// The paper ledger at the report's bar.
    public struct LedgerSummary: Codable, Sendable, Equatable {
        public struct Pair: Codable, Sendable, Equatable {
            public var pair: String
            public var status: String
            public var position: Double
            public var equity: Double
            public var reason: String
        }
        public var equity: Double
        public var drawdown: Double
        public var newestBar: String?
        public var portfolioStopped: Bool
        public var pairs: [Pair]
    }

    public struct PairResult: Codable, Sendable, Equatable {
        public var pair: String
        public var result: BacktestResult?
    }

    public var asOf: String
    public var asOfMs: Int64
    public var dataSource: String
    public var modelName: String?
    public var modelVersion: Int?
    public var modelUri: String?
    public var trainingWindow: [String]?
    public var signals: SignalCounts
    public var orders: OrderSummary?
    public var backtest: BacktestSummary?
    public var ledger: LedgerSummary? = nil
}
