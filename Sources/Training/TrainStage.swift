import Foundation
import ModelFormat
import GRDB
import MarketData
import PairResearch
import Portfolio

/// One pair's entry in `<data-dir>/training/report.json`.
public struct PairReportEntry: Codable, Sendable {
    public struct Champion: Codable, Sendable {
        public var kind: String
        public var name: String
        public var parameters: Candidate
        public var rounds: Int?
    }

    public var pair: String
    public var status: String
    public var reason: String?
    public var labelledRows: Int
    public var oofRocAuc: Double?
    public var oofPrAuc: Double?
    public var oofBrier: Double?
    public var oofLogLoss: Double?
    public var oofPositiveRate: Double?
    public var backtest: BacktestResult?
    public var baselineZRule: BacktestResult?
    public var champion: Champion?
    public var calibration: Calibration?
    public var threshold: Double
    public var featureImportance: [String: Double]
    public var folds: [FoldReport]
    public var candidates: [CandidateReport]
    public var trainingWindow: [String]
    /// FNV-1a of the refitted model's bytes: equal fingerprints, identical models.
    public var modelFingerprint: String?

    init(_ result: PairTrainingResult) {
        pair = result.pair
        status = result.status
        reason = result.reason
        labelledRows = result.labelledRows
        oofRocAuc = result.oof?.rocAUC
        oofPrAuc = result.oof?.prAUC
        oofBrier = result.oof?.brier
        oofLogLoss = result.oof?.logLoss
        oofPositiveRate = result.oof?.positiveRate
        backtest = result.backtest
        baselineZRule = result.baselineZRule
        champion = result.champion.map { Champion(kind: $0.kind.rawValue, name: $0.name, parameters: $0, rounds: result.rounds) }
        calibration = result.status == "trained" ? result.calibration : nil
        threshold = result.threshold
        featureImportance = result.featureImportance
        folds = result.folds
        candidates = result.candidates
        trainingWindow = result.trainingWindow.map(UTCTime.format)
        modelFingerprint = result.model.map { bytes in
            var hash = FNV1a()
            for byte in bytes { hash.add(byte) }
            return hash.hex
        }
    }
}

public struct TrainingReport: Codable, Sendable {
    public var runId: String
    public var createdAt: String
    public var codeVersion: String
    public var datasetId: String
    public var dataset: DatasetDefinition
    public var settings: TrainingSettings
    public var pairs: [PairReportEntry]
    /// Equal-weight portfolio of the trained pairs' out-of-fold strategy returns.
    public var portfolio: BacktestResult?
    public var portfolioEquity: [EquityPoint]
}

/// `mntrading train`: trains every pair of a dataset and records the run in the store (params,
/// metrics, data window, code version, OOF predictions, models) and as `<data-dir>/training/report.json`.
/// The run id fingerprints settings, dataset and data, so a rerun replaces its own record. Each pair
/// is committed on its own; the run is marked complete at the end, so an interrupted run leaves a
/// consistent store with a run marked "running".
public struct TrainStage: Sendable {
    public static let codeVersion = "mntrading 0.1.0"
    public let store: MarketStore
    public let locations: Locations

    public init(store: MarketStore, locations: Locations) {
        self.store = store
        self.locations = locations
    }

    public func latestDataset() throws -> (id: String, definition: DatasetDefinition, pairs: [String]) {
        try store.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, parameters FROM datasets ORDER BY created_at DESC, id LIMIT 1") else {
                throw TrainingError.invalidArgument("no dataset in the store; run `mntrading dataset` first")
            }
            let id: String = row["id"]
            let definition = try ResearchJSON.decoder().decode(DatasetDefinition.self, from: Data((row["parameters"] as String).utf8))
            let pairs = try String.fetchAll(db, sql: "SELECT DISTINCT pair FROM dataset_rows WHERE dataset_id = ? ORDER BY pair", arguments: [id])
            return (id, definition, pairs)
        }
    }

    public func run(settings: TrainingSettings, now: Int64 = UTCTime.nowMilliseconds(), progress: ProgressReporter = .silent,
                    shouldStop: @Sendable () -> Bool = { false }) throws -> (report: TrainingReport, path: String) {
        try settings.crossValidation.validate()
        let (datasetId, definition, pairs) = try latestDataset()
        var settings = settings
        settings.crossValidation.horizon = definition.horizon
        settings.barsPerYear = definition.timeframe.barsPerYear
        // The run's fingerprint needs only each pair's feature span, which the store answers; the
        // datasets themselves (the feature matrix with lags) are built one pair at a time below,
        // so memory holds one pair's matrix, not all of them.
        var fingerprint = FNV1a()
        fingerprint.add(try ResearchJSON.string(settings))
        fingerprint.add(datasetId)
        for pair in pairs {
            let span = try store.read { db in
                try Row.fetchOne(db, sql: "SELECT COUNT(*), MIN(open_time), MAX(open_time) FROM features WHERE pair = ? AND timeframe = ?",
                                 arguments: [pair, definition.timeframe.rawValue])
            }
            fingerprint.add(pair)
            fingerprint.add("\(span?[0] as Int? ?? 0) \(span?[1] as Int64? ?? 0) \(span?[2] as Int64? ?? 0)")
        }
        let runId = fingerprint.hex
        try store.write { db in
            try db.execute(sql: "DELETE FROM oof_predictions WHERE run_id = ?", arguments: [runId])
            try db.execute(sql: "DELETE FROM oof_returns WHERE run_id = ?", arguments: [runId])
            try db.execute(sql: "DELETE FROM training_runs WHERE id = ?", arguments: [runId])
            try db.execute(sql: """
                INSERT INTO training_runs (id, created_at, status, dataset_id, parameters, code_version, pairs, trained)
                VALUES (?, ?, 'running', ?, ?, ?, ?, 0)
                """, arguments: [runId, now, datasetId, try ResearchJSON.string(settings), Self.codeVersion, pairs.count])
        }

        let trainer = PairTrainer(settings: settings)
        var results: [PairTrainingResult] = []
        progress.start("training \(pairs.count) pairs", total: pairs.count)
        for pair in pairs {
            if shouldStop() { break }
            let dataset = PairDataset(pair: pair, rows: try store.featureRows(pair: pair, timeframe: definition.timeframe), definition: definition)
            let result = try trainer.train(dataset)
            try save(result, runId: runId)
            results.append(result)
            progress.advance(by: 1)
        }
        progress.finish()

        let trained = results.filter { $0.status == "trained" }
        let streams = trained.map { (times: $0.oofReturnTimes, returns: $0.oofReturns) }
        let portfolio = Backtest.portfolio(streams, barsPerYear: settings.barsPerYear)
        let windows = trained.flatMap(\.trainingWindow)
        let report = TrainingReport(runId: runId, createdAt: UTCTime.format(now), codeVersion: Self.codeVersion, datasetId: datasetId,
                                    dataset: definition, settings: settings, pairs: results.map(PairReportEntry.init),
                                    portfolio: portfolio.result, portfolioEquity: portfolio.equity)
        let path = locations.dataPath("training", "report.json")
        try AtomicFile.write(try ResearchJSON.encoder().encode(report), to: path)
        let complete = results.count == pairs.count
        try store.write { db in
            try db.execute(sql: """
                UPDATE training_runs SET status = ?, window_start = ?, window_end = ?, trained = ?, report_file = ? WHERE id = ?
                """, arguments: [complete ? "complete" : "interrupted", windows.min(), windows.max(), trained.count, path, runId])
        }
        return (report, path)
    }

    func save(_ result: PairTrainingResult, runId: String) throws {
        var summary = result
        summary.model = nil
        summary.oofPredictions = []
        summary.oofReturns = []
        summary.oofReturnTimes = []
        let json = try ResearchJSON.string(summary)
        try store.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO training_pairs (run_id, pair, status, reason, result, model) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [runId, result.pair, result.status, result.reason, json, result.model.map { Data($0) }])
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO oof_predictions (run_id, pair, open_time, fold, raw, calibrated, label) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for prediction in result.oofPredictions {
                try statement.execute(arguments: [runId, result.pair, prediction.time, prediction.fold, prediction.raw,
                                                  prediction.calibrated, prediction.label])
            }
            let returns = try db.cachedStatement(sql: "INSERT OR REPLACE INTO oof_returns (run_id, pair, open_time, ret) VALUES (?, ?, ?, ?)")
            for (time, value) in zip(result.oofReturnTimes, result.oofReturns) {
                try returns.execute(arguments: [runId, result.pair, time, value])
            }
        }
    }
}

