import Foundation
import GRDB
import MarketData
import ModelFormat
import Backtest
import Basics
import Store
import TrainingRecords

/// The out-of-fold backtests of a training run, read through the training tables' owner.
struct TrainingHistory {
    var runId: String
    var pairs: [ReportData.PairBacktest]

    static func load(store: DataStore, runId wanted: String?, pairs: [String]) throws -> TrainingHistory? {
        try store.read { db -> TrainingHistory? in
            let runId =
                try wanted.map { try TrainingRunRecords.completeId(db, $0) } ?? TrainingRunRecords.latestCompleteId(db)
            guard let runId else { return nil }
            let results = try TrainingRunRecords.outOfFoldBacktests(db, runId: runId)
            let returns = try TrainingRunRecords.returns(db, runId: runId, period: .outOfFold)
            var history = TrainingHistory(runId: runId, pairs: [])
            for pair in pairs {
                guard let stored = results[pair] else { continue }
                history.pairs.append(
                    .init(pair: pair, result: stored.result, equity: stored.equity, returns: returns[pair] ?? ([], [])))
            }
            return history
        }
    }
}
