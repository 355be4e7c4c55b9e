import Foundation
import ModelFormat
import Backtest

public struct FoldReport: Codable, Sendable, Equatable {
    public var fold: Int
    public var trainRows: Int
    public var testRows: Int
    public var firstTestTime: Int64
    public var rounds: Int
    /// Of the fold's test predictions, calibrated with what the earlier folds alone fitted.
    public var metrics: ClassificationMetrics
    public var backtest: BacktestResult

    public init(
        fold: Int, trainRows: Int, testRows: Int, firstTestTime: Int64, rounds: Int, metrics: ClassificationMetrics,
        backtest: BacktestResult
    ) {
        self.fold = fold
        self.trainRows = trainRows
        self.testRows = testRows
        self.firstTestTime = firstTestTime
        self.rounds = rounds
        self.metrics = metrics
        self.backtest = backtest
    }
}
