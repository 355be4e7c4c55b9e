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

    /// What the screen saw of the pair (in sample: the screen chose it on these bars).
    public struct ScreenFigures: Codable, Sendable {
        public var pvalue: Double?
        public var halfLifeBars: Double?
        public var corr: Double?
        public var beta: Double?
    }

    public var pair: String
    public var status: String
    public var reason: String?
    public var labelledRows: Int
    public var screen: ScreenFigures?
    /// Candidates tried on this pair.
    public var trials: Int
    /// Of the cross-fitted calibrated out-of-fold predictions.
    public var oofRocAuc: Double?
    public var oofRawRocAuc: Double?
    public var oofPrAuc: Double?
    public var oofBrier: Double?
    public var oofLogLoss: Double?
    public var oofPositiveRate: Double?
    /// Out of fold, after costs.
    public var backtest: BacktestResult?
    public var baselineZRule: BacktestResult?
    /// Deflated Sharpe Ratio of the out-of-fold returns, with every trial of the run counted.
    public var deflatedSharpe: Double?
    /// The holdout, after costs: bars no choice saw.
    public var holdout: BacktestResult?
    public var holdoutBaselineZRule: BacktestResult?
    public var holdoutRocAuc: Double?
    public var holdoutWindow: [String]
    /// Walk-forward re-screens before each fold's test block, and before the holdout.
    public var rescreens: [Rescreen]
    public var holdoutRescreen: Rescreen?
    public var champion: Champion?
    public var calibration: Calibration?
    public var antiPredictive: Bool
    public var calibrationWarning: String?
    public var threshold: Double
    public var entryZ: Double
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
        trials = result.candidates.count
        oofRocAuc = result.oof?.rocAUC
        oofRawRocAuc = result.oofRawRocAUC
        deflatedSharpe = result.deflatedSharpe
        holdout = result.holdout
        holdoutBaselineZRule = result.holdoutBaselineZRule
        holdoutRocAuc = result.holdoutMetrics?.rocAUC
        holdoutWindow = result.holdoutWindow.map(UTCTime.format)
        rescreens = result.rescreens
        holdoutRescreen = result.holdoutRescreen
        antiPredictive = result.antiPredictive
        calibrationWarning = result.calibrationWarning
        entryZ = result.entryZ
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

/// Where the run's three periods lie: the screen's bars, the scored out-of-fold bars, the holdout.
public struct ResearchTimeline: Codable, Sendable, Equatable {
    public var screeningRunId: String?
    /// The screen's first bar's open and last bar's close (ms); nil: the pairs came from a file.
    public var screenWindow: [Int64]?
    /// The first bar any fold scored.
    public var firstScoredTime: Int64?
    public var holdoutStart: Int64?
    public var dataEnd: Int64?

    /// Why the out-of-fold figures are in sample, if they are.
    public var inSampleReason: String? {
        guard let screenWindow, screenWindow.count == 2 else {
            return screeningRunId == nil ? "the pairs came from a file, so the screen that chose them may have seen the scored bars"
                : "the screening run does not record its window"
        }
        guard let firstScoredTime else { return nil }
        if screenWindow[1] > firstScoredTime {
            return "the screen saw bars up to \(UTCTime.format(screenWindow[1])), after the first scored bar \(UTCTime.format(firstScoredTime))"
        }
        return nil
    }
}

public struct TrainingReport: Codable, Sendable {
    public var runId: String
    public var createdAt: String
    public var codeVersion: String
    public var datasetId: String
    public var dataset: DatasetDefinition
    public var settings: TrainingSettings
    public var timeline: ResearchTimeline
    public var execution: String
    /// Candidate × pair combinations tried: what the Deflated Sharpe Ratio deflates for.
    public var trials: Int
    /// The trials that are independent of each other (correlated trials clustered): the DSR's N.
    public var independentTrials: Int
    /// Probability of Backtest Overfitting over every trial's out-of-fold returns.
    public var pbo: BacktestOverfitting.Outcome?
    public var pairs: [PairReportEntry]
    /// Equal-weight portfolio of the trained pairs' out-of-fold strategy returns.
    public var portfolio: BacktestResult?
    public var portfolioEquity: [EquityPoint]
    /// The same pairs on the holdout.
    public var portfolioHoldout: BacktestResult?
}

/// The dataset a run trains on, as the store records it.
public struct DatasetRecord: Sendable {
    public var id: String
    public var definition: DatasetDefinition
    public var pairs: [String]
    /// The screen the pairs came from; nil for a pairs file.
    public var screeningRunId: String?

    /// The newest dataset, or the one with `id`.
    public static func load(_ db: Database, id: String? = nil) throws -> DatasetRecord {
        let row = try id.map { try Row.fetchOne(db, sql: "SELECT id, parameters, screening_run_id FROM datasets WHERE id = ?", arguments: [$0]) }
            ?? Row.fetchOne(db, sql: "SELECT id, parameters, screening_run_id FROM datasets ORDER BY created_at DESC, id LIMIT 1")
        guard let row else {
            throw TrainingError.invalidArgument(id.map { "dataset \($0) is no longer in the store; rerun `mntrading dataset` and `mntrading train`" }
                                                ?? "no dataset in the store; run `mntrading dataset` first")
        }
        let datasetId: String = row["id"]
        let definition = try ResearchJSON.decoder().decode(DatasetDefinition.self, from: Data((row["parameters"] as String).utf8))
        let pairs = try String.fetchAll(db, sql: "SELECT DISTINCT pair FROM dataset_rows WHERE dataset_id = ? ORDER BY pair", arguments: [datasetId])
        return DatasetRecord(id: datasetId, definition: definition, pairs: pairs, screeningRunId: row["screening_run_id"])
    }

    /// Each pair's statistics in the screen its pairs came from (none for a pairs file).
    public func screenFigures(_ db: Database) throws -> [String: PairReportEntry.ScreenFigures] {
        guard let screeningRunId else { return [:] }
        var figures: [String: PairReportEntry.ScreenFigures] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT pair, pvalue, half_life, corr, beta FROM screened_pairs WHERE run_id = ?", arguments: [screeningRunId]) {
            figures[row["pair"]] = .init(pvalue: row["pvalue"], halfLifeBars: row["half_life"], corr: row["corr"], beta: row["beta"])
        }
        return figures
    }

    /// Throws when a pair's features in the store were computed with other windows than this
    /// dataset's: a model must be trained, and served, on the features it was built from.
    public func checkFeatures(_ db: Database, pairs: [String]? = nil, action: String) throws {
        let expected = try ResearchJSON.string(definition.features)
        for pair in pairs ?? self.pairs {
            let stored = try String.fetchOne(db, sql: "SELECT parameters FROM feature_sets WHERE pair = ? AND timeframe = ?",
                                             arguments: [pair, definition.timeframe.rawValue])
            guard stored == expected else {
                let now = stored.flatMap { try? ResearchJSON.decoder().decode(FeatureParameters.self, from: Data($0.utf8)) }
                let described = now.map { "β window \($0.betaWindow), z window \($0.zWindow)" } ?? "none"
                throw TrainingError.invalidArgument("""
                    cannot \(action): \(pair)'s features are now computed with \(described), but dataset \(id) was built on β window \(definition.features.betaWindow), z window \(definition.features.zWindow); rerun `mntrading features` with the dataset's windows, or `mntrading dataset` and `mntrading train` on the new ones
                    """)
            }
        }
    }
}

/// `mntrading train`: trains every pair of a dataset and records the run in the store (params,
/// metrics, data window, code version, OOF predictions, models) and as `<data-dir>/training/report.json`.
/// The run id fingerprints settings, dataset and data, so a rerun replaces its own record. Each pair
/// is committed on its own; the run is marked complete at the end, so an interrupted run leaves a
/// consistent store with a run marked "running".
///
/// The last `holdoutDays` of the data are the holdout: no choice sees them (see `PairTrainer`).
/// After the pairs, the run counts its trials (candidates × pairs), deflates each pair's
/// out-of-fold Sharpe ratio for them and estimates the probability of backtest overfitting.
public struct TrainStage: Sendable {
    public static let codeVersion = ProductVersion.code
    public let store: MarketStore
    public let locations: Locations

    public init(store: MarketStore, locations: Locations) {
        self.store = store
        self.locations = locations
    }

    public func latestDataset() throws -> DatasetRecord {
        try store.read { db in try DatasetRecord.load(db) }
    }

    public func run(settings: TrainingSettings, now: Int64 = UTCTime.nowMilliseconds(), progress: ProgressReporter = .silent,
                    shouldStop: @Sendable () -> Bool = { false }) throws -> (report: TrainingReport, path: String) {
        try settings.crossValidation.validate()
        guard settings.holdoutDays >= 0, settings.holdoutDays.isFinite else {
            throw TrainingError.invalidArgument("--holdout-days must not be negative (got \(settings.holdoutDays))")
        }
        if let problem = try settings.execution.validate() { throw TrainingError.invalidArgument(problem) }
        let dataset = try latestDataset()
        let (definition, pairs) = (dataset.definition, dataset.pairs)
        try store.read { db in try dataset.checkFeatures(db, action: "train") }
        var settings = settings
        settings.crossValidation.horizon = definition.horizon
        settings.barsPerYear = definition.timeframe.barsPerYear
        settings.entryZ = definition.entryZ
        var timeline = try self.timeline(dataset, settings: settings)
        // The run's fingerprint needs only each pair's feature span, which the store answers; the
        // datasets themselves (the feature matrix with lags) are built one pair at a time below,
        // so memory holds one pair's matrix, not all of them.
        var fingerprint = FNV1a()
        fingerprint.add(try ResearchJSON.string(settings))
        fingerprint.add(dataset.id)
        fingerprint.add(dataset.screeningRunId ?? "no screen")
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
            for table in ["oof_predictions", "oof_returns", "holdout_returns"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE run_id = ?", arguments: [runId])
            }
            try db.execute(sql: "DELETE FROM training_runs WHERE id = ?", arguments: [runId])
            try db.execute(sql: """
                INSERT INTO training_runs (id, created_at, status, dataset_id, parameters, code_version, pairs, trained, holdout_start)
                VALUES (?, ?, 'running', ?, ?, ?, ?, 0, ?)
                """, arguments: [runId, now, dataset.id, try ResearchJSON.string(settings), Self.codeVersion, pairs.count, timeline.holdoutStart])
        }

        let trainer = PairTrainer(settings: settings)
        var results: [PairTrainingResult] = []
        progress.start("training \(pairs.count) pairs", total: pairs.count)
        for pair in pairs {
            if shouldStop() { break }
            let data = PairDataset(pair: pair, rows: try store.featureRows(pair: pair, timeframe: definition.timeframe), definition: definition)
            let screen = try walkForwardScreen(pair: pair, dataset: dataset, from: data.openTimes.first, to: timeline.dataEnd)
            let result = try trainer.train(data, holdoutStart: timeline.holdoutStart, screen: screen)
            try save(result, runId: runId)
            results.append(result.summary.withSeries(of: result))
            progress.advance(by: 1)
        }
        progress.finish()

        // Every candidate tried on every pair is a trial; the pairs' champions are deflated for all of them.
        let trained = results.indices.filter { results[$0].status == "trained" }
        if trained.isEmpty, let first = results.first, results.allSatisfy({ $0.reason?.contains("before the holdout") == true || $0.reason?.contains("walk-forward folds") == true }) {
            try store.write { db in try db.execute(sql: "UPDATE training_runs SET status = 'failed' WHERE id = ?", arguments: [runId]) }
            throw TrainingError.insufficientData("no pair has enough data for the folds and the holdout: \(first.pair): \(first.reason ?? "")")
        }
        let trials = trained.reduce(0) { $0 + results[$1].candidates.count }
        let (independentTrials, pbo) = TimeAccount.honesty.measure { () -> (Int, BacktestOverfitting.Outcome?) in
            let aligned = Self.alignedTrials(trained.map { results[$0] })
            let independentTrials = TrialClusters.count(aligned)
            for index in trained {
                results[index].deflatedSharpe = DeflatedSharpe.ratio(returns: results[index].oofReturns, independentTrials: independentTrials)
            }
            return (independentTrials, BacktestOverfitting.estimate(aligned))
        }
        timeline.firstScoredTime = trained.compactMap { results[$0].oofReturnTimes.first }.min()

        let portfolio = Backtest.portfolio(trained.map { (results[$0].oofReturnTimes, results[$0].oofReturns) }, barsPerYear: settings.barsPerYear)
        let holdoutPortfolio = Backtest.portfolio(trained.map { (results[$0].holdoutReturnTimes, results[$0].holdoutReturns) },
                                                  barsPerYear: settings.barsPerYear)
        let windows = trained.flatMap { results[$0].trainingWindow }
        let screenFigures = try store.read { db in try dataset.screenFigures(db) }
        var entries = results.map(PairReportEntry.init)
        for index in entries.indices { entries[index].screen = screenFigures[entries[index].pair] }
        let report = TrainingReport(runId: runId, createdAt: UTCTime.format(now), codeVersion: Self.codeVersion, datasetId: dataset.id,
                                    dataset: definition, settings: settings, timeline: timeline, execution: settings.execution.summary,
                                    trials: trials, independentTrials: independentTrials, pbo: pbo, pairs: entries,
                                    portfolio: portfolio.result, portfolioEquity: portfolio.equity, portfolioHoldout: holdoutPortfolio.result)
        let path = locations.dataPath("training", "report.json")
        try AtomicFile.write(try ResearchJSON.encoder().encode(report), to: path)
        let complete = results.count == pairs.count
        try store.write { db in
            for index in trained {
                try db.execute(sql: "UPDATE training_pairs SET result = ? WHERE run_id = ? AND pair = ?",
                               arguments: [try ResearchJSON.string(results[index].summary), runId, results[index].pair])
            }
            try db.execute(sql: """
                UPDATE training_runs SET status = ?, window_start = ?, window_end = ?, trained = ?, report_file = ?, trials = ?, pbo = ? WHERE id = ?
                """, arguments: [complete ? "complete" : "interrupted", windows.min(), windows.max(), trained.count, path, trials, pbo?.pbo, runId])
        }
        return (report, path)
    }

    /// The screen's window and where the holdout starts: the last `holdoutDays` before the data's end.
    func timeline(_ dataset: DatasetRecord, settings: TrainingSettings) throws -> ResearchTimeline {
        let timeframe = dataset.definition.timeframe
        let (first, last, window) = try store.read { db -> (Int64?, Int64?, [Int64]?) in
            let span = try Row.fetchOne(db, sql: """
                SELECT MIN(open_time), MAX(open_time) FROM dataset_rows WHERE dataset_id = ?
                """, arguments: [dataset.id])
            let screen = try dataset.screeningRunId.flatMap { id in
                try Row.fetchOne(db, sql: "SELECT window_start, window_end FROM screening_runs WHERE id = ?", arguments: [id])
            }
            let window = (screen?["window_start"] as Int64?).flatMap { start in (screen?["window_end"] as Int64?).map { [start, $0] } }
            return (span?[0], span?[1], window)
        }
        var timeline = ResearchTimeline(screeningRunId: dataset.screeningRunId, screenWindow: window)
        guard let first, let last else { throw TrainingError.invalidArgument("dataset \(dataset.id) has no rows; rerun `mntrading dataset`") }
        let end = last + timeframe.milliseconds
        timeline.dataEnd = end
        guard settings.holdoutDays > 0 else { return timeline }
        let start = end - Int64(settings.holdoutDays * 86_400_000)
        let days = Double(end - first) / 86_400_000
        guard start > first else {
            let span = String(format: "%.1f", days), holdout = String(format: "%g", settings.holdoutDays)
            throw TrainingError.insufficientData("data too short for a holdout: the dataset's rows span \(span) days (\(UTCTime.format(first)) to \(UTCTime.format(end))), and a \(holdout)-day holdout leaves nothing to train on; ingest more days (pipeline: --train-days) or shorten --holdout-days")
        }
        timeline.holdoutStart = start
        return timeline
    }

    /// The pair's screen, to be repeated before every scored period: the screening run's rules and
    /// window length on the store's bars (nil for a pairs file, which names no screen).
    func walkForwardScreen(pair: String, dataset: DatasetRecord, from first: Int64?, to end: Int64?) throws -> WalkForwardScreen? {
        guard let runId = dataset.screeningRunId, let first, let end else { return nil }
        let screen = try store.read { db in
            try Row.fetchOne(db, sql: "SELECT parameters, window_start, window_end FROM screening_runs WHERE id = ?", arguments: [runId])
        }
        let legs = pair.components(separatedBy: "__")
        guard let screen, let start: Int64 = screen["window_start"], let stop: Int64 = screen["window_end"], legs.count == 2 else { return nil }
        let parameters = try ResearchJSON.decoder().decode(ScreeningParameters.self, from: Data((screen["parameters"] as String).utf8))
        let length = stop - start
        let bars = try legs.map { try store.bars(symbol: $0, timeframe: parameters.timeframe, from: first - length, to: end) }
        return WalkForwardScreen(parameters: parameters, length: length, a: legs[0], barsA: bars[0], b: legs[1], barsB: bars[1])
    }

    /// Every trial's out-of-fold returns on one time axis (a pair's bars outside its span are flat).
    static func alignedTrials(_ results: [PairTrainingResult]) -> [[Double]] {
        let times = Set(results.flatMap(\.oofReturnTimes)).sorted()
        let slot = Dictionary(uniqueKeysWithValues: times.enumerated().map { ($1, $0) })
        return results.flatMap { result in
            result.trialReturns.map { returns in
                var aligned = [Double](repeating: 0, count: times.count)
                for (time, value) in zip(result.oofReturnTimes, returns) { aligned[slot[time]!] = value }
                return aligned
            }
        }
    }

    func save(_ result: PairTrainingResult, runId: String) throws {
        let json = try ResearchJSON.string(result.summary)
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
            for (table, times, values) in [("oof_returns", result.oofReturnTimes, result.oofReturns),
                                           ("holdout_returns", result.holdoutReturnTimes, result.holdoutReturns)] {
                let returns = try db.cachedStatement(sql: "INSERT OR REPLACE INTO \(table) (run_id, pair, open_time, ret) VALUES (?, ?, ?, ?)")
                for (time, value) in zip(times, values) {
                    try returns.execute(arguments: [runId, result.pair, time, value])
                }
            }
        }
    }
}

extension PairTrainingResult {
    /// The summary plus the series the run needs after the pair (returns, trials), without the
    /// model bytes and predictions, so memory holds little per pair.
    func withSeries(of full: PairTrainingResult) -> PairTrainingResult {
        var copy = self
        copy.model = full.model
        copy.oofReturns = full.oofReturns
        copy.oofReturnTimes = full.oofReturnTimes
        copy.trialReturns = full.trialReturns
        copy.holdoutReturns = full.holdoutReturns
        copy.holdoutReturnTimes = full.holdoutReturnTimes
        return copy
    }
}
