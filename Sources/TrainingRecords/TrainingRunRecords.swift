import Backtest
import Basics
import Foundation
import GRDB

/// Typed access to `training_runs`, `training_pairs`, `oof_predictions`, `oof_returns` and
/// `holdout_returns`: the trainer writes through it; select, backtest, router, the report, member
/// export and the pipeline read through it. Every function runs inside the caller's transaction.
public enum TrainingRunRecords {
    /// A trained pair as stored: its result (the per-bar series live in their own tables) and the
    /// refitted champion as XGBoost JSON.
    public struct StoredPair: Sendable {
        public var result: PairTrainingResult
        public var model: [UInt8]?
    }

    /// Which per-bar return series.
    public enum Period: String, Sendable {
        case outOfFold = "oof_returns"
        case holdout = "holdout_returns"
    }

    static let latestCompleteIdSQL =
        "SELECT id FROM training_runs WHERE status = 'complete' ORDER BY created_at DESC, id LIMIT 1"

    /// Which training run is "the latest" everywhere (select, router, backtest, report, pipeline):
    /// the newest complete one, ties broken by id. Interrupted and failed runs never count.
    public static func latestCompleteId(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: latestCompleteIdSQL)
    }

    /// `latestCompleteId` as the pipeline's fingerprints record it.
    public static func latestCompleteState(_ db: Database) throws -> String {
        try Row.fetchAll(db, sql: latestCompleteIdSQL).map { "\($0)" }.joined(separator: "\n")
    }

    public static func completeId(_ db: Database, _ id: String) throws -> String? {
        try String.fetchOne(
            db, sql: "SELECT id FROM training_runs WHERE id = ? AND status = 'complete'", arguments: [id])
    }

    /// The dataset a run trained on (nil for an unknown run).
    public static func datasetId(_ db: Database, runId: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT dataset_id FROM training_runs WHERE id = ?", arguments: [runId])
    }

    public static func status(_ db: Database, runId: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT status FROM training_runs WHERE id = ?", arguments: [runId])
    }

    /// Starts run `runId` afresh: a rerun of the same inputs replaces what an earlier attempt stored.
    public static func begin(
        _ db: Database, runId: String, createdAt: Int64, datasetId: String, settings: TrainingSettings,
        codeVersion: String, pairs: Int, holdoutStart: Int64?
    ) throws {
        for period in [Period.outOfFold, .holdout] {
            try db.execute(sql: "DELETE FROM \(period.rawValue) WHERE run_id = ?", arguments: [runId])
        }
        try db.execute(sql: "DELETE FROM oof_predictions WHERE run_id = ?", arguments: [runId])
        try db.execute(sql: "DELETE FROM training_runs WHERE id = ?", arguments: [runId])
        try db.execute(
            sql: """
                INSERT INTO training_runs (id, created_at, status, dataset_id, parameters, code_version, pairs, trained, holdout_start)
                VALUES (?, ?, 'running', ?, ?, ?, ?, 0, ?)
                """,
            arguments: [runId, createdAt, datasetId, try ProjectJSON.string(settings), codeVersion, pairs, holdoutStart]
        )
    }

    /// One pair's result, model, out-of-fold predictions and return series.
    public static func savePair(_ db: Database, runId: String, _ result: PairTrainingResult) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO training_pairs (run_id, pair, status, reason, result, model) VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                runId, result.pair, result.status, result.reason, try ProjectJSON.string(result.summary),
                result.model.map { Data($0) }
            ])
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO oof_predictions (run_id, pair, open_time, fold, raw, calibrated, label) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        for prediction in result.oofPredictions {
            try statement.execute(arguments: [
                runId, result.pair, prediction.time, prediction.fold, prediction.raw, prediction.calibrated,
                prediction.label
            ])
        }
        for (period, times, values) in [
            (Period.outOfFold, result.oofReturnTimes, result.oofReturns),
            (.holdout, result.holdoutReturnTimes, result.holdoutReturns)
        ] {
            let returns = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO \(period.rawValue) (run_id, pair, open_time, ret) VALUES (?, ?, ?, ?)")
            for (time, value) in zip(times, values) {
                try returns.execute(arguments: [runId, result.pair, time, value])
            }
        }
    }

    /// Rewrites a pair's stored result once the run's statistics (the Deflated Sharpe) are known.
    public static func updateResult(_ db: Database, runId: String, _ result: PairTrainingResult) throws {
        try db.execute(
            sql: "UPDATE training_pairs SET result = ? WHERE run_id = ? AND pair = ?",
            arguments: [try ProjectJSON.string(result.summary), runId, result.pair])
    }

    /// `report`: the run's report as the train stage encodes it, kept here for the stages after it.
    public static func finish(
        _ db: Database, runId: String, complete: Bool, window: [Int64], trained: Int, reportFile: String,
        report: String, trials: Int, pbo: Double?
    ) throws {
        try db.execute(
            sql: """
                UPDATE training_runs SET status = ?, window_start = ?, window_end = ?, trained = ?, report_file = ?,
                    report = ?, trials = ?, pbo = ? WHERE id = ?
                """,
            arguments: [
                complete ? "complete" : "interrupted", window.min(), window.max(), trained, reportFile, report, trials,
                pbo, runId
            ])
    }

    /// The run's report as `finish` stored it (nil: a run stored before reports were kept here).
    public static func report(_ db: Database, runId: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT report FROM training_runs WHERE id = ?", arguments: [runId])
    }

    public static func markFailed(_ db: Database, runId: String) throws {
        try db.execute(sql: "UPDATE training_runs SET status = 'failed' WHERE id = ?", arguments: [runId])
    }

    /// Every trained pair of the run, by pair.
    public static func trainedPairs(_ db: Database, runId: String) throws -> [StoredPair] {
        try Row.fetchAll(
            db, sql: "SELECT result, model FROM training_pairs WHERE run_id = ? AND status = 'trained' ORDER BY pair",
            arguments: [runId]
        ).map(storedPair)
    }

    /// Each pair's out-of-fold backtest and its equity curve, what a report shows of a run. Decoded
    /// from the stored result's own fields, without the rest of it: the report runs every cycle.
    /// A row an older version wrote in a shape this one cannot read is left out, not fatal.
    public static func outOfFoldBacktests(_ db: Database, runId: String) throws -> [String: (
        result: BacktestResult?, equity: [EquityPoint]
    )] {
        struct Fields: Decodable {
            var backtest: BacktestResult?
            var equity: [EquityPoint]
        }
        let decoder = ProjectJSON.decoder()
        var backtests: [String: (result: BacktestResult?, equity: [EquityPoint])] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT pair, result FROM training_pairs WHERE run_id = ?", arguments: [runId])
        {
            guard let fields = try? decoder.decode(Fields.self, from: Data((row["result"] as String).utf8)) else {
                continue
            }
            backtests[row["pair"]] = (fields.backtest, fields.equity)
        }
        return backtests
    }

    /// The selected trained pairs in selection order, and whether the selection had guardrails.
    public static func selectedPairs(_ db: Database, runId: String) throws -> (pairs: [StoredPair], guardrails: Bool) {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT p.result, p.model, s.guardrails FROM selections s JOIN training_pairs p ON p.run_id = s.run_id AND p.pair = s.pair
                WHERE s.run_id = ? AND s.selected = 1 AND p.status = 'trained' ORDER BY s.rank, p.pair
                """, arguments: [runId])
        return (try rows.map(storedPair), rows.allSatisfy { ($0["guardrails"] as Bool?) ?? true })
    }

    /// The champions' calibrated out-of-fold probabilities, by pair and bar.
    public static func oofProbabilities(_ db: Database, runId: String) throws -> [String: [Int64: Double]] {
        var byPair: [String: [Int64: Double]] = [:]
        for row in try Row.fetchAll(
            db,
            sql: "SELECT pair, open_time, calibrated FROM oof_predictions WHERE run_id = ? ORDER BY pair, open_time",
            arguments: [runId])
        {
            byPair[row["pair"], default: [:]][row["open_time"]] = row["calibrated"]
        }
        return byPair
    }

    /// A pair's per-bar strategy returns over `period`, in bar order.
    public static func returns(_ db: Database, runId: String, pair: String, period: Period) throws -> (
        times: [Int64], returns: [Double]
    ) {
        let rows = try Row.fetchAll(
            db, sql: "SELECT open_time, ret FROM \(period.rawValue) WHERE run_id = ? AND pair = ? ORDER BY open_time",
            arguments: [runId, pair])
        return (rows.map { $0["open_time"] }, rows.map { $0["ret"] })
    }

    /// Every pair's per-bar strategy returns over `period`.
    public static func returns(_ db: Database, runId: String, period: Period) throws -> [String: (
        times: [Int64], returns: [Double]
    )] {
        var returns: [String: (times: [Int64], returns: [Double])] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT pair, open_time, ret FROM \(period.rawValue) WHERE run_id = ? ORDER BY pair, open_time",
            arguments: [runId])
        {
            let pair: String = row[0]
            returns[pair, default: ([], [])].times.append(row[1])
            returns[pair, default: ([], [])].returns.append(row[2])
        }
        return returns
    }

    /// A run's out-of-fold predictions, optionally of one pair, with `from ≤ open_time ≤ to`, by pair and bar.
    public static func outOfFoldPredictions(
        _ db: Database, runId: String, pair: String? = nil, from: Int64 = .min, to: Int64 = .max
    ) throws -> [(pair: String, prediction: OOFPrediction)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT pair, open_time, fold, raw, calibrated, label FROM oof_predictions
                WHERE run_id = ?1 AND (?2 IS NULL OR pair = ?2) AND open_time BETWEEN ?3 AND ?4 ORDER BY pair, open_time
                """, arguments: [runId, pair, from, to]
        ).map { ($0[0], OOFPrediction(time: $0[1], fold: $0[2], raw: $0[3], calibrated: $0[4], label: $0[5])) }
    }

    private static func storedPair(_ row: Row) throws -> StoredPair {
        StoredPair(result: try decode(row["result"]), model: (row["model"] as Data?).map { [UInt8]($0) })
    }

    private static func decode(_ text: String) throws -> PairTrainingResult {
        try ProjectJSON.decoder().decode(PairTrainingResult.self, from: Data(text.utf8))
    }
}
