import Foundation
import ModelFormat
import GRDB
import MarketData
import PairResearch
import Backtest
import Basics
import Store
import TrainingRecords

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
    public let store: DataStore
    public let locations: Locations

    public init(store: DataStore, locations: Locations) {
        self.store = store
        self.locations = locations
    }

    public func latestDataset() throws -> DatasetRecord {
        try store.read { db in try DatasetRecord.load(db) }
    }

    public func run(
        settings: TrainingSettings, now: Int64 = UTCTime.nowMilliseconds(), progress: ProgressReporter = .silent,
        shouldStop: @Sendable () -> Bool = { false }, timing: TrainingTiming = .none
    ) throws -> (report: TrainingReport, path: String) {
        try settings.crossValidation.validate()
        try SettingError.check(
            settings.holdoutDays >= 0 && settings.holdoutDays.isFinite, "holdout_days",
            "must not be negative (got \(settings.holdoutDays))")
        try settings.execution.validate()
        let dataset = try latestDataset()
        let (definition, pairs) = (dataset.definition, dataset.pairs)
        try store.read { db in try dataset.checkFeatures(db, action: "train") }
        var settings = settings
        settings.crossValidation.horizon = definition.horizon
        settings.barsPerYear = definition.timeframe.barsPerYear
        settings.entryZ = definition.entryZ
        let screen = try ScreenRecord.load(dataset.screeningRunId, store: store)
        var timeline = try self.timeline(dataset, screen: screen, settings: settings)
        // The run's fingerprint needs only each pair's feature span, which the store answers; the
        // datasets themselves (the feature matrix with lags) are built one pair at a time below,
        // so memory holds one pair's matrix, not all of them.
        var fingerprint = FNV1a()
        fingerprint.add(try ProjectJSON.string(settings))
        fingerprint.add(dataset.id)
        fingerprint.add(dataset.screeningRunId ?? "no screen")
        for pair in pairs {
            let span = try store.read { db in try FeatureStage.span(pair: pair, timeframe: definition.timeframe, in: db)
            }
            fingerprint.add(pair)
            fingerprint.add("\(span.rows) \(span.first ?? 0) \(span.last ?? 0)")
        }
        let runId = fingerprint.hex
        try store.write { db in
            try TrainingRunRecords.begin(
                db, runId: runId, createdAt: now, datasetId: dataset.id, settings: settings,
                codeVersion: Self.codeVersion, pairs: pairs.count, holdoutStart: timeline.holdoutStart)
        }

        let trainer = PairTrainer(settings: settings, timing: timing)
        var results: [PairTrainingResult] = []
        progress.start("training \(pairs.count) pairs", total: pairs.count)
        for pair in pairs {
            if shouldStop() { break }
            let data = PairDataset(
                pair: pair, rows: try store.featureRows(pair: pair, timeframe: definition.timeframe),
                definition: definition)
            let rescreen = try screen.flatMap {
                try walkForwardScreen(pair: pair, screen: $0, from: data.openTimes.first, to: timeline.dataEnd)
            }
            var result = try trainer.train(data, holdoutStart: timeline.holdoutStart, screen: rescreen)
            try store.write { db in try TrainingRunRecords.savePair(db, runId: runId, result) }
            // The predictions are stored; the run needs the returns and the trials' series.
            result.oofPredictions = []
            results.append(result)
            progress.advance(by: 1)
        }
        progress.finish()

        // Every candidate tried on every pair is a trial; the pairs' champions are deflated for all of them.
        let trained = results.indices.filter { results[$0].status == "trained" }
        if trained.isEmpty, let first = results.first, results.allSatisfy(\.shortOfData) {
            try store.write { db in try TrainingRunRecords.markFailed(db, runId: runId) }
            throw TrainingError.insufficientData(
                "no pair has enough data for the folds and the holdout: \(first.pair): \(first.reason ?? "")")
        }
        let trials = trained.reduce(0) { $0 + results[$1].candidates.count }
        let (independentTrials, pbo) = timing.honesty.measure { () -> (Int, BacktestOverfitting.Outcome?) in
            let aligned = Self.alignedTrials(trained.map { results[$0] })
            let independentTrials = TrialClusters.count(aligned)
            for index in trained {
                results[index].deflatedSharpe = DeflatedSharpe.ratio(
                    returns: results[index].oofReturns, independentTrials: independentTrials)
            }
            return (independentTrials, BacktestOverfitting.estimate(aligned))
        }
        timeline.firstScoredTime = trained.compactMap { results[$0].oofReturnTimes.first }.min()

        let portfolio = Backtest.portfolio(
            trained.map { (results[$0].oofReturnTimes, results[$0].oofReturns) },
            trades: trained.reduce(0) { $0 + (results[$1].backtest?.trades ?? 0) }, barsPerYear: settings.barsPerYear)
        let holdoutPortfolio = Backtest.portfolio(
            trained.map { (results[$0].holdoutReturnTimes, results[$0].holdoutReturns) },
            trades: trained.reduce(0) { $0 + (results[$1].holdout?.trades ?? 0) }, barsPerYear: settings.barsPerYear)
        let windows = trained.flatMap { results[$0].trainingWindow }
        let screenFigures = try store.read { db in try dataset.screenFigures(db) }
        var entries = results.map(PairReportEntry.init)
        for index in entries.indices { entries[index].screen = screenFigures[entries[index].pair] }
        let report = TrainingReport(
            runId: runId, createdAt: UTCTime.format(now), codeVersion: Self.codeVersion, datasetId: dataset.id,
            dataset: definition, settings: settings, timeline: timeline, execution: settings.execution.summary,
            trials: trials, independentTrials: independentTrials, pbo: pbo, pairs: entries,
            portfolio: portfolio.result, portfolioEquity: portfolio.equity, portfolioHoldout: holdoutPortfolio.result)
        let path = locations.dataPath("training", "report.json")
        let encoded = try ProjectJSON.encoder().encode(report)
        let complete = results.count == pairs.count
        try store.write { db in
            for index in trained {
                try TrainingRunRecords.updateResult(db, runId: runId, results[index])
            }
            try TrainingRunRecords.finish(
                db, runId: runId, complete: complete, window: windows, trained: trained.count, reportFile: path,
                report: String(decoding: encoded, as: UTF8.self), trials: trials, pbo: pbo?.pbo)
        }
        // An export for people and tools; the stages after this one read the report from the store.
        try AtomicFile.write(encoded, to: path)
        return (report, path)
    }

    /// The latest complete run's report, as the store keeps it. A run stored before reports were
    /// kept in the store has only its file, which is read then (and must belong to the run).
    public func latestReport() throws -> TrainingReport {
        let (run, stored) = try store.read { db in
            let run = try TrainingRunRecord.latestComplete(db)
            return (run, try TrainingRunRecords.report(db, runId: run.id))
        }
        if let stored { return try ProjectJSON.decoder().decode(TrainingReport.self, from: Data(stored.utf8)) }
        guard let reportFile = run.reportFile,
            let data = FileManager.default.contents(atPath: reportFile)
        else {
            throw TrainingError.missingInput(
                "training run \(run.id) has no report in the store or on disk; rerun `mntrading train`")
        }
        let report = try ProjectJSON.decoder().decode(TrainingReport.self, from: data)
        guard report.runId == run.id else {
            throw TrainingError.missingInput(
                "\(reportFile) belongs to run \(report.runId), not the latest run \(run.id); rerun `mntrading train`")
        }
        return report
    }

    /// The screen's window and where the holdout starts: the last `holdoutDays` before the data's end.
    func timeline(_ dataset: DatasetRecord, screen: ScreenRecord?, settings: TrainingSettings) throws
        -> ResearchTimeline
    {
        let timeframe = dataset.definition.timeframe
        let (first, last) = try store.read { db in try dataset.rowSpan(db) }
        var timeline = ResearchTimeline(screeningRunId: dataset.screeningRunId, screenWindow: screen?.window)
        guard let first, let last else {
            throw TrainingError.missingInput("dataset \(dataset.id) has no rows; rerun `mntrading dataset`")
        }
        let end = last + timeframe.milliseconds
        timeline.dataEnd = end
        guard settings.holdoutDays > 0 else { return timeline }
        let start = end - Int64(settings.holdoutDays * 86_400_000)
        let days = Double(end - first) / 86_400_000
        guard start > first else {
            let span = String(format: "%.1f", days), holdout = String(format: "%g", settings.holdoutDays)
            throw TrainingError.insufficientData(
                "data too short for a holdout: the dataset's rows span \(span) days (\(UTCTime.format(first)) to \(UTCTime.format(end))), and a \(holdout)-day holdout leaves nothing to train on; ingest more days (pipeline: --train-days) or shorten --holdout-days"
            )
        }
        timeline.holdoutStart = start
        return timeline
    }

    /// The pair's screen, to be repeated before every scored period: the screening run's rules and
    /// window length on the store's bars.
    func walkForwardScreen(pair: String, screen: ScreenRecord, from first: Int64?, to end: Int64?) throws
        -> WalkForwardScreen?
    {
        guard let first, let end, let window = screen.window, let legs = PairID(pair)?.legs else { return nil }
        let length = window[1] - window[0]
        let bars = try legs.map {
            try store.bars(symbol: $0, timeframe: screen.parameters.timeframe, from: first - length, to: end)
        }
        return WalkForwardScreen(
            parameters: screen.parameters, length: length, a: legs[0], barsA: bars[0], b: legs[1], barsB: bars[1])
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
}
