import Foundation
import Backtest
import GRDB
import ModelFormat
import Store
import TestSupport
@testable import TrainingRecords
import Testing

struct FoldTests {
    @Test(arguments: [nil, 400] as [Int?])
    func foldsArePurgedAndEmbargoed(maxTrainSize: Int?) throws {
        var cv = CrossValidation()
        cv.splits = 5
        cv.gap = 24
        cv.horizon = 3
        cv.maxTrainSize = maxTrainSize
        let folds = try cv.folds(rowBars: Array(0..<3_000))
        #expect(folds.count == 5)
        for fold in folds {
            // Every fitted row's label window ends before validation starts; validation ends `gap` rows before the test.
            #expect(fold.fit.upperBound - 1 + cv.horizon < fold.validation.lowerBound)
            #expect(fold.validation.upperBound + cv.gap <= fold.test.lowerBound)
            #expect(fold.validation.upperBound - 1 + cv.horizon < fold.test.lowerBound)
            if let maxTrainSize {
                #expect(fold.validation.upperBound - fold.fit.lowerBound <= maxTrainSize)
            } else {
                #expect(fold.fit.lowerBound == 0)
            }
        }
        // Test folds tile the data after the first block, in time order.
        #expect(folds.map(\.test.lowerBound) == [500, 1000, 1500, 2000, 2500])
        #expect(folds.last?.test.upperBound == 3_000)
    }
}

struct MetricTests {
    @Test func aucAndAveragePrecisionMatchHandComputedValues() {
        // scikit-learn: roc_auc_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.75; average_precision_score = 0.8333…
        let metrics = ClassificationMetrics(probabilities: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1])
        #expect(abs(metrics.rocAUC! - 0.75) < 1e-12)
        #expect(abs(metrics.prAUC! - 0.8333333333333333) < 1e-12)
        #expect(abs(metrics.brier - (0.01 + 0.16 + 0.4225 + 0.04) / 4) < 1e-12)
        #expect(metrics.positiveRate == 0.5)
        #expect(ClassificationMetrics(probabilities: [0.5, 0.5], labels: [1, 0]).rocAUC == 0.5)
        #expect(ClassificationMetrics(probabilities: [0.2, 0.9], labels: [1, 1]).rocAUC == nil)
    }

    @Test func calibrationIsMonotoneAndFitsTheRates() {
        var rng = SeededRandom(seed: 46)
        let raw = (0..<4_000).map { _ in Double.random(in: 0.01...0.99, using: &rng) }
        // True probability is raw², so raw is over-confident: calibration must pull it down.
        let labels = raw.map { Double.random(in: 0...1, using: &rng) < $0 * $0 ? 1 : 0 }
        for method in [Calibration.Method.platt, .isotonic] {
            let fit = Calibration.fit(method, probabilities: raw, labels: labels)
            #expect(!fit.antiPredictive && fit.warning == nil)
            let grid = stride(from: 0.05, through: 0.95, by: 0.05).map { fit.calibration.apply($0) }
            #expect(zip(grid, grid.dropFirst()).allSatisfy { $0 <= $1 + 1e-12 }, "\(method) not monotone")
            #expect(abs(fit.calibration.apply(0.5) - 0.25) < 0.08, "\(method): \(fit.calibration.apply(0.5))")
        }
        #expect(Calibration.fit(.platt, probabilities: [0.3, 0.6], labels: [1, 1]).calibration == .none)
    }

    /// A model that ranks backwards is flagged, never inverted: the fitted map still increases.
    /// Seeded: the isotonic flag is the flat curve that pooling a backwards ranking leaves, and a
    /// chance uptick at the top can keep it from being flat (one unseeded draw did); the trainer also
    /// flags by the ranking itself (`ClassificationMetrics.rankedBackwards`), checked below.
    @Test func anAntiPredictiveModelIsFlaggedNotInverted() {
        var rng = SeededRandom(seed: 62)
        let raw = (0..<3_000).map { _ in Double.random(in: 0.01...0.99, using: &rng) }
        let labels = raw.map { Double.random(in: 0...1, using: &rng) < 1 - $0 ? 1 : 0 }
        for method in [Calibration.Method.platt, .isotonic] {
            let fit = Calibration.fit(method, probabilities: raw, labels: labels)
            #expect(fit.antiPredictive, "\(method)")
            #expect(fit.calibration.isMonotoneIncreasing, "\(method)")
        }
        #expect(ClassificationMetrics.rankedBackwards(raw, labels))
        // No ranking is not a backwards ranking.
        let flat = (0..<3_000).map { Double($0) / 3_000 }
        #expect(!ClassificationMetrics.rankedBackwards(flat, (0..<3_000).map { $0 % 2 }))
    }

    /// Separable or constant inputs drive Platt's slope toward infinity (every probability 0 or 1):
    /// the fit stops at its bound, warns, and falls back to the raw probabilities.
    @Test func aDivergingPlattFitFallsBackWithAWarning() {
        let raw = (0..<400).map { 0.5 + Double($0 % 2) * 1e-9 }
        let labels = (0..<400).map { $0 % 2 }
        let fit = Calibration.fit(.platt, probabilities: raw, labels: labels)
        #expect(fit.calibration == .none)
        #expect(fit.warning?.contains("diverged") == true)
        #expect(!fit.antiPredictive)
    }
}

@Suite struct TrainingRunRecordsTests {
    /// A run as the trainer stores it reads back through the accessors the report, router and
    /// select use: only complete runs count, series come back in bar order.
    @Test func aStoredRunReadsBackThroughItsAccessors() throws {
        let directory = try temporaryDirectory("records")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DataStore(dataDirectory: directory, schemas: [.training])
        var result = PairTrainingResult(pair: "A1__B1", status: "trained")
        result.oofReturnTimes = [300, 0, 600]
        result.oofReturns = [0.2, 0.1, -0.3]
        result.holdoutReturnTimes = [900]
        result.holdoutReturns = [0.05]
        result.oofPredictions = [OOFPrediction(time: 0, fold: 0, raw: 0.4, calibrated: 0.45, label: 1)]
        result.model = [1, 2, 3]
        result.backtest = BacktestResult(
            bars: 3, cumulativeReturn: 0.2, sharpe: 1.5, maxDrawdown: 0.1, turnover: 2, trades: 12,
            hitRate: 0.6, exposure: 0.5)
        result.equity = [EquityPoint(time: 0, equity: 1), EquityPoint(time: 600, equity: 1.2)]
        try store.write { db in
            try TrainingRunRecords.begin(
                db, runId: "run1", createdAt: 1, datasetId: "d", settings: TrainingSettings(),
                codeVersion: "test", pairs: 1, holdoutStart: 900)
            try TrainingRunRecords.savePair(db, runId: "run1", result)
        }
        #expect(try store.read { db in try TrainingRunRecords.latestCompleteId(db) } == nil)
        try store.write { db in
            try TrainingRunRecords.finish(
                db, runId: "run1", complete: true, window: [0, 600], trained: 1, reportFile: "r.json", report: "{}",
                trials: 4,
                pbo: 0.25)
        }
        let (latest, record) = try store.read { db in
            (try TrainingRunRecords.latestCompleteId(db), try TrainingRunRecord.latestComplete(db))
        }
        #expect(latest == "run1")
        #expect(record.trials == 4 && record.pbo == 0.25 && record.reportFile == "r.json")
        let returns = try store.read { db in
            try TrainingRunRecords.returns(db, runId: "run1", pair: "A1__B1", period: .outOfFold)
        }
        #expect(returns.times == [0, 300, 600] && returns.returns == [0.1, 0.2, -0.3])
        let holdout = try store.read { db in try TrainingRunRecords.returns(db, runId: "run1", period: .holdout) }
        #expect(holdout["A1__B1"]?.returns == [0.05])
        let probabilities = try store.read { db in try TrainingRunRecords.oofProbabilities(db, runId: "run1") }
        #expect(probabilities == ["A1__B1": [0: 0.45]])
        let stored = try store.read { db in try TrainingRunRecords.trainedPairs(db, runId: "run1") }
        #expect(stored.map(\.result.pair) == ["A1__B1"] && stored.first?.model == [1, 2, 3])
        // The report's reader gives the stored result's own backtest and curve.
        let backtests = try store.read { db in try TrainingRunRecords.outOfFoldBacktests(db, runId: "run1") }
        #expect(backtests["A1__B1"]?.result == result.backtest && backtests["A1__B1"]?.equity == result.equity)
        #expect(stored.first?.result.backtest == result.backtest)
        // The per-bar series live in their tables, not in the stored result.
        #expect(stored.first?.result.oofReturns == [])
    }

    /// A store written before the tables were split by owner (training_runs and selections without
    /// the honest-selection columns, no holdout_returns) opens with its rows and gains what it lacks.
    @Test func aStoreFromBeforeTheSplitIsBroughtUpToDate() throws {
        let directory = try temporaryDirectory("records")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/" + DataStore.fileName
        let legacy = try DatabaseQueue(path: path)
        try legacy.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE training_runs (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, status TEXT NOT NULL, dataset_id TEXT NOT NULL,
                        parameters TEXT NOT NULL, code_version TEXT NOT NULL, window_start INTEGER, window_end INTEGER, pairs INTEGER NOT NULL,
                        trained INTEGER NOT NULL, report_file TEXT);
                    CREATE TABLE selections (run_id TEXT NOT NULL, pair TEXT NOT NULL, selected INTEGER NOT NULL, reason TEXT NOT NULL,
                        rank INTEGER, sharpe REAL, max_drawdown REAL, oof_roc_auc REAL, created_at INTEGER NOT NULL, PRIMARY KEY (run_id, pair));
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1_bars'), ('v2_research'), ('v3_training');
                    INSERT INTO training_runs VALUES ('old', 1, 'complete', 'd', '{}', 'mntrading 0.1', NULL, NULL, 2, 2, NULL);
                    """)
        }
        try legacy.close()
        let store = try DataStore(path: path, schemas: [.training])
        let latest = try store.read { db in try TrainingRunRecords.latestCompleteId(db) }
        let runColumns = try store.read { db in try db.columns(in: "training_runs").map(\.name) }
        let selectionColumns = try store.read { db in try db.columns(in: "selections").map(\.name) }
        let tables = try store.read { db in
            try ["holdout_returns", "oof_returns", "training_pairs", "selection_results"].map { try db.tableExists($0) }
        }
        #expect(latest == "old")
        #expect(runColumns.suffix(4) == ["holdout_start", "trials", "pbo", "report"])
        #expect(selectionColumns.contains("guardrails"))
        #expect(tables == [true, true, true, true])
        // A run stored before reports were kept in the store has none; select then reads its file.
        #expect(try store.read { db in try TrainingRunRecords.report(db, runId: "old") } == nil)
    }
}
