import Foundation
import GRDB
import MarketData
import ModelFormat
import PairResearch
import Backtest
import Basics
import Store
import TrainingRecords

public enum SignalSource: String, Codable, Sendable, CaseIterable {
    /// The latest training run's calibrated out-of-fold probabilities.
    case oof
    /// The plain z rule.
    case z
}

/// `mntrading backtest`: replays the latest training run's out-of-fold bars with other thresholds or
/// costs, from its OOF predictions or with the z rule, per pair and as an equal-sleeve portfolio (equal capital per pair at the start, never rebalanced).
public struct BacktestStage: Sendable {
    public let store: DataStore
    public let locations: Locations

    public init(store: DataStore, locations: Locations) {
        self.store = store
        self.locations = locations
    }

    public func run(signals: SignalSource, probaThreshold: Double, zThreshold: Double, execution: Execution) throws -> (
        report: BacktestReport, path: String
    ) {
        try SettingError.check(
            (0...1).contains(probaThreshold), "proba_threshold", "must be in [0, 1] (got \(probaThreshold))")
        try execution.validate()
        let (runId, definition) = try store.read { db -> (String, DatasetDefinition) in
            let run = try TrainingRunRecord.latestComplete(db)
            return (run.id, try DatasetRecord.load(db, id: run.datasetId).definition)
        }
        let byPair = try store.read { db in try TrainingRunRecords.oofProbabilities(db, runId: runId) }
        var pairs: [BacktestReport.Pair] = []
        var streams: [(times: [Int64], returns: [Double])] = []
        for pair in byPair.keys.sorted() {
            let dataset = PairDataset(
                pair: pair, rows: try store.featureRows(pair: pair, timeframe: definition.timeframe),
                definition: definition)
            let probabilities = byPair[pair]!
            let rows = dataset.openTimes.indices.filter { probabilities[dataset.openTimes[$0]] != nil }
            var settings = TrainingSettings()
            settings.probaThreshold = probaThreshold
            settings.zRuleThreshold = zThreshold
            settings.execution = execution
            settings.entryZ = definition.entryZ
            settings.barsPerYear = definition.timeframe.barsPerYear
            let (model, baseline, times) = PairTrainer.spanBacktest(
                dataset, rows: rows, probabilities: rows.map { probabilities[dataset.openTimes[$0]]! },
                settings: settings)
            let outcome = signals == .oof ? model : baseline
            pairs.append(
                .init(
                    pair: pair, result: outcome.result,
                    equity: Backtest.equityCurve(times: times, returns: outcome.returns)))
            streams.append((times, outcome.returns))
        }
        let portfolio = Backtest.portfolio(
            streams, trades: pairs.reduce(0) { $0 + $1.result.trades }, barsPerYear: definition.timeframe.barsPerYear)
        let report = BacktestReport(
            runId: runId, signals: signals, probaThreshold: probaThreshold, zThreshold: zThreshold,
            execution: execution,
            pairs: pairs, portfolio: portfolio.result, portfolioEquity: portfolio.equity)
        let path = locations.dataPath("training", "backtest_\(signals.rawValue).json")
        try AtomicFile.write(try ProjectJSON.encoder().encode(report), to: path)
        return (report, path)
    }
}
